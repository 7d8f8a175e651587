"""Making and changing webhooks for their owners."""

from outages.alerts import signing
from outages.alerts.models import Webhook


def subscribe(owner, **fields) -> Webhook:
    """A new webhook for `owner` with a fresh signing secret."""
    return Webhook.objects.create(owner=owner, secret=signing.new_secret(), **fields)


def change(webhook: Webhook, **fields) -> Webhook:
    """Apply the given fields; turning a webhook on gives it a fresh start."""
    if fields.get("active") and not webhook.active:
        fields.update(disabled_reason="", failing_since=None)
    for name, value in fields.items():
        setattr(webhook, name, value)
    webhook.save()
    return webhook
