"""Answers of the Hugging Face Daily Papers API, recorded-style, for the tests' local server.

The shape is the Hub's (`GET /api/daily_papers?date=YYYY-MM-DD`): a list of entries, each with
the paper (id, title, summary, authors, upvotes, dates) and the entry's own fields beside it.
"""

from __future__ import annotations

import json

DAY = "2025-05-26"


def _entry(paper_id: str | None, title: str, summary: str, authors: list[str], upvotes: int):
    paper = {
        "title": title,
        "summary": summary,
        "authors": [
            {"_id": f"6834{n:04d}", "name": name, "hidden": False, "status": "claimed_verified"}
            for n, name in enumerate(authors)
        ],
        "publishedAt": f"{DAY}T09:12:44.000Z",
        "submittedOnDailyAt": f"{DAY}T10:01:05.118Z",
        "upvotes": upvotes,
        "discussionId": "68341c0f1b2a9e3d7c5f0a11",
        "ai_keywords": ["reasoning", "reinforcement learning"],
    }
    if paper_id is not None:
        paper["id"] = paper_id
    return {
        "paper": paper,
        "publishedAt": f"{DAY}T09:12:44.000Z",
        "title": title,
        "summary": summary,
        "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{paper_id}.png",
        "numComments": 3,
        "submittedBy": {"_id": "60f1abe7544c2adfd699860c", "fullname": "AK", "name": "akhaliq"},
        "isAuthorParticipating": False,
    }


THREE_PAPERS = [
    _entry(
        "2505.17612",
        "Distilling LLM Agent into Small Models\nwith Retrieval and Code Tools",
        "Large language models (LLMs) excel at complex reasoning tasks but remain\n"
        "computationally expensive. We propose Agent Distillation, a framework for\n"
        "transferring not only reasoning capability but full task-solving behavior.",
        ["Minki Kang", "Jongwon Jeong", "Seanie Lee"],
        42,
    ),
    _entry(
        None,
        "An Entry the Hub Lists Without an Id",
        "This entry has no paper id, so it cannot become a candidate.",
        ["Nobody Known"],
        5,
    ),
    _entry(
        "2505.18125v2",
        "TabSTAR: A Foundation Tabular Model With Semantically Target-Aware Representations",
        "While deep learning has achieved remarkable success across many domains, it has "
        "historically underperformed on tabular learning tasks.",
        ["Alan Arazi", "Eilam Shapira", "Roi Reichart"],
        17,
    ),
]


def body(entries) -> bytes:
    return json.dumps(entries, ensure_ascii=False).encode("utf-8")
