"""Template filters for materials (registered as the `materials` library in settings)."""

from __future__ import annotations

from django import template

from seminar.materials.forms import TopicMaterialsForm, WeekMaterialsForm
from seminar.materials.permissions import can_edit_topic_materials, can_edit_week_materials

register = template.Library()


@register.filter
def can_edit_materials(user, topic) -> bool:
    return can_edit_topic_materials(user, topic)


@register.filter
def can_edit_week_links(user, week) -> bool:
    return can_edit_week_materials(user, week)


@register.simple_tag
def topic_materials_form(topic) -> TopicMaterialsForm:
    return TopicMaterialsForm(topic=topic, auto_id=f"id_topic{topic.pk}_%s")


@register.simple_tag
def week_materials_form(week) -> WeekMaterialsForm:
    return WeekMaterialsForm(week=week, auto_id=f"id_week{week.pk}_%s")


@register.simple_tag
def slides_max_bytes() -> int:
    from seminar.materials.uploads import max_slides_bytes

    return max_slides_bytes()
