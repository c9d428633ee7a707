from django import template

from vcassure.orgs.models import mask_phone

register = template.Library()


@register.filter
def masked(number: str) -> str:
    return mask_phone(number)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, 0) if mapping else 0
