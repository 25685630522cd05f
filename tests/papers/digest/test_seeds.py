"""The four seed digests, paper by paper: ids and titles written out by hand from the files.

Note: the seeds README says 002 holds "a truncated fence holding only a title"; the file
itself has no such entry (all its fences are closed), so truncation is covered by the
inline cases in test_generalization.py.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from papers.digest import ParsedDigest, parse_digest

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"


def load(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def d001() -> ParsedDigest:
    return parse_digest(load("001"))


@pytest.fixture(scope="module")
def d002() -> ParsedDigest:
    return parse_digest(load("002"))


@pytest.fixture(scope="module")
def d003() -> ParsedDigest:
    return parse_digest(load("003"))


@pytest.fixture(scope="module")
def d004() -> ParsedDigest:
    return parse_digest(load("004"))


EXPECTED_001 = [
    ("2505.17612", "Distilling LLM Agent into Small Models with Retrieval and Code Tools"),
    ("2505.17941", "VeriThinker: 학습을 통한 추론 모델 효율성 향상"),
    ("2505.16211", "AudioTrust: 오디오 대형 언어 모델의 다면적 신뢰성 벤치마킹"),
    ("2505.18129", "하나의 강화 학습으로 모든 것을 보다: 시각적 삼중 통합 강화 학습"),
    ("2505.15692", "사고 증강 정책 최적화: 외부 지침과 내부 능력의 연결"),
    (
        "2505.17558",
        "Teaching with Lies: Curriculum DPO on Synthetic Negatives for Hallucination Detection",
    ),
    ("2505.16483", "대형 언어 모델의 맥락적 충실도 향상을 위한 합성 작업과 강화 학습"),
    ("2505.15389", "비전-언어 모델은 실제 환경에서 안전한가? 밈 기반 벤치마크 연구"),
    ("2505.17826", "Trinity-RFT: 대형 언어 모델의 강화 학습 미세 조정을 위한 범용 통합 프레임워크"),
    (
        "2505.17225",
        "Reasoning Model is Stubborn: Diagnosing Instruction Overriding in Reasoning Models",
    ),
    ("2505.17508", "On the Design of KL-Regularized Policy Gradient Algorithms for LLM Reasoning"),
    (
        "2505.17561",
        "모델이 최적의 노이즈를 이미 알고 있다: 비디오 디퓨전 모델에서 주의(attention)를 통한 "
        "베이지안 능동 노이즈 선택",
    ),
    ("2505.17417", "Speechless: 음성 지시 훈련 없이 저자원 언어를 위한 음성 인식 모델 구축"),
    ("2505.16270", "Transformer Copilot: 학습 로그를 통한 LLM 파인튜닝 개선"),
    ("2505.17091", "대형 언어 모델은 텍스트 학습만으로 이미지와 오디오를 이해한다"),
]

# (id, title, summary_ok, truncated)
EXPECTED_002 = [
    ("2505.02835", "R1-Reward: 안정적인 강화 학습을 통한 다중 모달 보상 모델 학습", True, False),
    # no fence, bold headings without numbers, title only in prose: 해당 논문은 "…"으로
    ("2505.02735", "FormalMATH: 대형 언어 모델의 형식적 수학적 추론 벤치마킹", True, False),
    # no headings at all, title in prose: "…"라는 제목의 논문
    (
        "2505.02156",
        "Think on your Feet: Adaptive Thinking via Reinforcement Learning for Social Agents",
        True,
        False,
    ),
    ("2505.02370", "SuperEdit: 지시 기반 이미지 편집을 위한 지도 신호의 정정 및 촉진", True, False),
    ("2505.01043", "대형 언어 모델의 저정밀 훈련: 방법, 도전 과제 및 기회", True, False),
    # failed summary: "죄송합니다만, … 확인할 수 없었습니다": no title, never the message
    ("2505.02471", None, False, False),
    # bold numbered headings, title in prose
    (
        "2505.01583",
        "TEMPURA: Temporal Event Masked Prediction and Understanding for Reasoning in Action",
        True,
        False,
    ),
    # a readable summary that never states the paper's title
    ("2505.02625", None, True, False),
]

EXPECTED_003 = [
    ("2509.07980", "Parallel-R1: Towards Parallel Thinking via Reinforcement Learning"),
    ("2509.07979", "Visual Representation Alignment for Multimodal Large Language Models"),
    (
        "2509.07969",
        "Mini-o3: Scaling Up Reasoning Patterns and Interaction Turns for Visual Search",
    ),
    ("2509.07295", "Reconstruction Alignment Improves Unified Multimodal Models"),
    (
        "2509.06818",
        "UMO: Scaling Multi-Identity Consistency for Image Customization via Matching Reward",
    ),
    (
        "2509.06951",
        "F1: A Vision-Language-Action Model Bridging Understanding and Generation to Actions",
    ),
    ("2509.07414", "Language Self-Play For Data-Free Training"),
    (
        "2509.06923",
        "Staying in the Sweet Spot: Responsive Reasoning Evolution via Capability-Adaptive "
        "Hint Scaffolding",
    ),
    ("2509.06830", "Curia: A Multi-Modal Foundation Model for Radiology"),
    ("2509.03646", "Emergent Hierarchical Reasoning in LLMs through Reinforcement Learning"),
    ("2509.07301", "Causal Attention with Lookahead Keys"),
    (
        "2509.08721",
        "Sharing is Caring: Efficient LM Post-Training with Collective RL Experience Sharing",
    ),
    (
        "2509.07968",
        "SimpleQA Verified: A Reliable Factuality Benchmark to Measure Parametric Knowledge",
    ),
    (
        "2509.06942",
        "Directly Aligning the Full Diffusion Trajectory with Fine-Grained Human Preference",
    ),
    (
        "2509.01624",
        "Q-Sched: Pushing the Boundaries of Few-Step Diffusion Models with Quantization-Aware "
        "Scheduling",
    ),
    ("2509.07558", "ΔL Normalization: Rethink Loss Aggregation in RLVR"),
    ("2509.07253", "Benchmarking Information Retrieval Models on Complex Retrieval Tasks"),
    (
        "2509.06938",
        "From Noise to Narrative: Tracing the Origins of Hallucinations in Transformers",
    ),
]

# (id, title, votes)
EXPECTED_004 = [
    ("2412.15118", "Outcome-Refining Process Supervision for Code Generation", 11),
    ("2412.16429", "LearnLM: Improving Gemini for Learning", 9),
    ("2412.16686", "NILE: Internal Consistency Alignment in Large Language Models", 6),
    ("2412.17498", "DRT-o1: Optimized Deep Reasoning Translation via Long Chain-of-Thought", 8),
    ("2412.17451", "Diving into Self-Evolving Training for Multimodal Reasoning", 22),
    (
        "2412.17256",
        "B-STaR: Monitoring and Balancing Exploration and Exploitation in Self-Taught Reasoners",
        29,
    ),
    (
        "2412.14922",
        "RobustFT: Robust Supervised Fine-tuning for Large Language Models under Noisy Response",
        63,
    ),
    (
        "2412.17589",
        "PC Agent: While You Sleep, AI Works -- A Cognitive Journey into Digital World",
        6,
    ),
    ("2412.14470", "Agent-SafetyBench: Evaluating the Safety of LLM Agents", 5),
    (
        "2412.15484",
        "Toward Robust Hyper-Detailed Image Captioning: A Multiagent Approach and Dual "
        "Evaluation Metrics for Factuality and Coverage",
        11,
    ),
    ("2412.16926", "Revisiting In-Context Learning with Long Context Language Models", 11),
    ("2412.17805", "Large Motion Video Autoencoding with Cross-modal Video VAE", 15),
    ("2412.16720", "OpenAI o1 System Card", 11),
    ("2412.17767", "ResearchTown: Simulator of Human Research Community", 7),
    (
        "2412.17295",
        "Friends-MMC: A Dataset for Multi-modal Multi-party Conversation Understanding",
        4,
    ),
    ("2412.17747", "Deliberation in Latent Space via Differentiable Cache Augmentation", 15),
    (
        "2412.17153",
        "Distilled Decoding 1: One-step Sampling of Image Auto-regressive Models with Flow "
        "Matching",
        24,
    ),
    (
        "2412.16849",
        "OpenRFT: Adapting Reasoning Foundation Model for Domain-specific Tasks with "
        "Reinforcement Fine-Tuning",
        3,
    ),
]

SECTIONS_A = [
    "핵심 동기와 문제 정의",
    "주요 기여 및 참신성",
    "모델 아키텍처 및 학습 설정",
    "실험 설정",
    "정량적 결과",
    "한계점 및 잠재적 실패 요인",
    "후속 연구 아이디어 또는 확장 방향",
]


# --- 001: format A, all summaries fenced ---------------------------------------------------


def test_001_digest(d001: ParsedDigest) -> None:
    assert d001.date == datetime.date(2025, 5, 26)
    assert d001.format == "hf-summary"
    assert d001.errors == ()


def test_001_ids_and_titles(d001: ParsedDigest) -> None:
    assert [(p.arxiv_id, p.title) for p in d001.papers] == EXPECTED_001


def test_001_flags_links_sections(d001: ParsedDigest) -> None:
    for p in d001.papers:
        assert p.summary_ok and not p.truncated and p.problems == ()
        assert p.hf_url == f"https://huggingface.co/papers/{p.arxiv_id}"
        assert p.url == p.hf_url
        assert p.arxiv_url == f"https://arxiv.org/abs/{p.arxiv_id}"
        assert p.authors == () and p.votes is None and p.thumbnail is None
        assert [s.heading for s in p.sections] == SECTIONS_A, p.arxiv_id


def test_001_numbered_bold_list_variant(d001: ParsedDigest) -> None:
    # 2505.15692 uses "1. **핵심 동기와 문제 정의**" list items instead of "##" headings.
    p = d001.papers[4]
    assert p.arxiv_id == "2505.15692"
    assert p.sections[0].body.startswith("기존 강화 학습(RL) 방법은")
    assert p.sections[1].body.startswith("- **TAPO 프레임워크 제안**:")
    assert "```" not in "".join(s.body for s in p.sections)


# --- 002: format A, hard cases -------------------------------------------------------------


def test_002_digest(d002: ParsedDigest) -> None:
    assert d002.date == datetime.date(2025, 5, 6)
    assert d002.format == "hf-summary"


def test_002_ids_titles_and_flags(d002: ParsedDigest) -> None:
    got = [(p.arxiv_id, p.title, p.summary_ok, p.truncated) for p in d002.papers]
    assert got == EXPECTED_002


def test_002_failed_summary(d002: ParsedDigest) -> None:
    p = d002.papers[5]
    assert p.arxiv_id == "2505.02471"
    assert p.title is None and not p.summary_ok and p.sections == ()
    assert p.problems[0].startswith("summary failed (the generator could not read the paper")
    assert "no title in the digest" in p.problems
    assert any(
        e.startswith("paper 2505.02471: summary failed") and e.endswith("no title in the digest")
        for e in d002.errors
    )


def test_002_untitled_readable_summary_is_flagged(d002: ParsedDigest) -> None:
    p = d002.papers[7]
    assert p.arxiv_id == "2505.02625"
    assert p.problems == ("no title in the digest",)
    assert "paper 2505.02625: no title in the digest" in d002.errors
    assert [s.heading for s in p.sections] == ["", *SECTIONS_A[1:]]


def test_002_sections(d002: ParsedDigest) -> None:
    by_id = {p.arxiv_id: p for p in d002.papers}
    assert [s.heading for s in by_id["2505.02835"].sections] == SECTIONS_A
    # Unfenced, bold headings without numbers, an intro paragraph first.
    formal = by_id["2505.02735"].sections
    assert [s.heading for s in formal] == ["", *SECTIONS_A]
    assert formal[0].body.startswith('해당 논문은 "FormalMATH')
    # "1. **…**: text" list items are not headings: the whole summary is one section.
    think = by_id["2505.02156"].sections
    assert len(think) == 1 and think[0].heading == ""
    assert "1. **다중 세분화된 사고 모드 설계**" in think[0].body
    # "**1. 핵심 동기와 문제 정의**" bold numbered headings.
    assert [s.heading for s in by_id["2505.01583"].sections] == ["", *SECTIONS_A]
    assert len(by_id["2505.01043"].sections) == 7


def test_002_only_problem_papers_in_errors(d002: ParsedDigest) -> None:
    assert len(d002.errors) == 2
    assert all(e.startswith(("paper 2505.02471:", "paper 2505.02625:")) for e in d002.errors)


# --- 003: format B (Jekyll) ----------------------------------------------------------------


def test_003_digest(d003: ParsedDigest) -> None:
    assert d003.date == datetime.date(2025, 9, 10)
    assert d003.format == "jekyll"
    assert d003.errors == ()


def test_003_ids_and_titles(d003: ParsedDigest) -> None:
    assert [(p.arxiv_id, p.title) for p in d003.papers] == EXPECTED_003


def test_003_sections(d003: ParsedDigest) -> None:
    for p in d003.papers:
        assert [s.heading for s in p.sections] == [
            "Introduction",
            "Method",
            "Results",
            "Limitations",
            "Conclusion",
        ]
        assert p.summary_ok and not p.truncated
        assert p.hf_url is None and p.url == f"https://arxiv.org/abs/{p.arxiv_id}"
    first = d003.papers[0].sections[0].body
    assert first.startswith("- Goal: 본 연구의 목표는 강화학습을 통해")
    assert d003.papers[4].sections[3].body == "정보 부족."


# --- 004: format C (daily list) ------------------------------------------------------------


def test_004_digest(d004: ParsedDigest) -> None:
    assert d004.date == datetime.date(2024, 12, 24)
    assert d004.format == "daily-list"
    assert d004.errors == ()


def test_004_ids_titles_votes(d004: ParsedDigest) -> None:
    assert [(p.arxiv_id, p.title, p.votes) for p in d004.papers] == EXPECTED_004


def test_004_sections_thumbnails(d004: ParsedDigest) -> None:
    for p in d004.papers:
        assert [s.heading for s in p.sections] == [
            "What's New",
            "Technical Details",
            "Performance Highlights",
        ]
        assert p.thumbnail == (
            f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{p.arxiv_id}.png"
        )
        assert p.summary_ok and not p.truncated
    # 2412.17451 uses "**What's New**" (bold) instead of "***What's New***".
    assert d004.papers[4].sections[0].body.startswith("이 연구는 멀티모달 추론")


def test_004_authors(d004: ParsedDigest) -> None:
    assert d004.papers[0].authors == (
        "Wei Ye",
        "Zhuohao Yu",
        "Zhengran Zeng",
        "Jindong Wang",
        "Shikun Zhang",
        "Yidong Wang",
        "Weizheng Gu",
    )
    assert d004.papers[3].authors == ("Jiaan Wang", "Yunlong Liang", "Jie Zhou", "Fandong Meng")
    o1 = d004.papers[12]
    assert o1.title == "OpenAI o1 System Card"
    assert len(o1.authors) == 262
    assert o1.authors[0] == "Shuyuan Zhang" and o1.authors[-1] == "Ahmed El-Kishky"


# --- 000 is a week page, not a digest ------------------------------------------------------


def test_000_week_page_is_not_a_digest() -> None:
    d = parse_digest(load("000"))
    assert d.papers == () and d.format == "unknown"
    assert any(e.startswith("no papers found") for e in d.errors)
