"""Incident steps becoming emails, through a real SMTP server: who gets
them, the window that stops a flapping incident from flooding, retries."""

from datetime import timedelta

import pytest
import time_machine

from outages.alerts import email_events, email_sending, tasks
from outages.alerts.models import Email, EmailSubscription
from outages.models import Incident, IncidentUpdate, Service
from tests.helpers.outage import NOW
from tests.helpers.smtp import smtp_server

MINUTES = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def sent_at_once(emails_sent_at_once):
    return emails_sent_at_once


def subscribed(email="alice@example.com", region="") -> EmailSubscription:
    return EmailSubscription.objects.create(
        email=email,
        service=Service.objects.get(slug="tiktok"),
        region=region,
        token=f"token-{email}-{region}",
        confirmed_at=NOW - 60 * MINUTES,
    )


def incident_in(*places: str, at=NOW) -> Incident:
    regions = [{"region": p, "observed": 60, "expected": 6} for p in places]
    return Incident.objects.create(
        service=Service.objects.get(slug="tiktok"),
        state="ongoing",
        scope="regional",
        opened_at=at,
        observed=60,
        expected=6,
        p_value=1e-9,
        peak_at=at,
        peak_observed=60,
        peak_expected=6,
        regions=regions,
        updated_at=at,
    )


def step(incident, kind, at, *places) -> IncidentUpdate:
    regions = [{"region": p, "observed": 60, "expected": 6} for p in places]
    return incident.updates.create(
        kind=kind, at=at, observed=60, expected=6, p_value=1e-9, regions=regions
    )


def emitted(update, django_capture_on_commit_callbacks) -> list[Email]:
    with django_capture_on_commit_callbacks(execute=True):
        return email_events.emit(update)


def test_a_step_reaches_the_subscriptions_for_its_places(
    catalog, inbox, django_capture_on_commit_callbacks
):
    germany, anywhere, america, france = (
        subscribed("de@example.com", "DE"),
        subscribed("any@example.com"),
        subscribed("us@example.com", "US"),
        subscribed("fr@example.com", "FR"),
    )
    incident = incident_in("DE-BY", "US-CA")
    with time_machine.travel(NOW, tick=False):
        made = emitted(
            step(incident, "opened", NOW, "DE-BY", "US-CA"),
            django_capture_on_commit_callbacks,
        )
    assert {e.subscription for e in made} == {
        germany,
        anywhere,
        america,
    }
    assert sorted(m["To"] for m in inbox.messages) == [
        "any@example.com",
        "de@example.com",
        "us@example.com",
    ]
    assert (
        inbox.messages[0]["Subject"]
        == "TikTok: problems detected in Bayern, California"
    )
    assert not france.emails.exists()


def test_a_worldwide_incident_reaches_every_country(
    catalog, inbox, django_capture_on_commit_callbacks
):
    subscribed("fr@example.com", "FR")
    with time_machine.travel(NOW, tick=False):
        emitted(
            step(incident_in(""), "opened", NOW, ""), django_capture_on_commit_callbacks
        )
    [message] = inbox.messages
    assert message["Subject"] == "TikTok: problems detected worldwide"


def test_an_update_is_sent_only_when_it_names_a_new_place(
    catalog, inbox, django_capture_on_commit_callbacks
):
    subscribed("fr@example.com", "FR")
    incident = incident_in("DE")
    step(incident, "opened", NOW, "DE")
    rising = step(incident, "updated", NOW + 5 * MINUTES, "DE")
    spreading = step(incident, "updated", NOW + 10 * MINUTES, "DE", "FR")
    with time_machine.travel(NOW + 10 * MINUTES, tick=False):
        assert emitted(rising, django_capture_on_commit_callbacks) == []
        [made] = emitted(spreading, django_capture_on_commit_callbacks)
    assert made.kind == "updated"
    assert [m["Subject"] for m in inbox.messages] == [
        "TikTok: problems now in Germany, France"
    ]


def test_a_flapping_incident_sends_one_message_per_window_and_then_the_latest(
    catalog, inbox, django_capture_on_commit_callbacks
):
    subscription = subscribed(region="DE")
    moments = [NOW, NOW + 5 * MINUTES, NOW + 10 * MINUTES, NOW + 15 * MINUTES]
    first = incident_in("DE")
    Incident.objects.filter(pk=first.pk).update(
        state="resolved", resolved_at=moments[1]
    )
    second = incident_in("DE", at=moments[2])
    steps = [
        step(first, "opened", moments[0], "DE"),
        step(first, "resolved", moments[1]),
        step(second, "opened", moments[2], "DE"),
        step(second, "resolved", moments[3]),
    ]
    Incident.objects.filter(pk=second.pk).update(
        state="resolved", resolved_at=moments[3]
    )
    made = []
    for moment, update in zip(moments, steps, strict=True):
        with time_machine.travel(moment, tick=False):
            made += emitted(update, django_capture_on_commit_callbacks)
    assert len(made) == 4
    assert len(inbox.messages) == 1  # the opening; the rest wait for the window
    waiting = Email.objects.filter(status="pending").order_by("pk")
    assert [e.next_attempt_at for e in waiting] == [NOW + 30 * MINUTES] * 3

    # The tasks' countdowns run out: only the newest news goes out.
    end = NOW + 30 * MINUTES
    for email in waiting:
        assert email_sending.attempt(email.pk, now=end) is None
    assert [e.status for e in Email.objects.order_by("pk")] == [
        "sent",
        "superseded",
        "superseded",
        "sent",
    ]
    assert [m["Subject"] for m in inbox.messages] == [
        "TikTok: problems detected in Germany",
        "TikTok: the problems are over",
    ]
    subscription.refresh_from_db()
    assert subscription.last_sent_at == end


def test_a_message_inside_the_window_is_queued_for_its_end(
    catalog, inbox, sent_at_once, django_capture_on_commit_callbacks, monkeypatch
):
    subscribed(region="DE")
    incident = incident_in("DE")
    later = []
    monkeypatch.setattr(
        tasks.send_email, "apply_async", lambda args, countdown: later.append(countdown)
    )
    sent_at_once.side_effect = tasks.send_email  # the task itself, not just attempt
    with time_machine.travel(NOW, tick=False):
        emitted(step(incident, "opened", NOW, "DE"), django_capture_on_commit_callbacks)
    with time_machine.travel(NOW + 12 * MINUTES, tick=False):
        emitted(
            step(incident, "resolved", NOW + 12 * MINUTES),
            django_capture_on_commit_callbacks,
        )
    assert later == [18 * 60.0]
    assert len(inbox.messages) == 1


def test_a_refused_message_is_retried_and_then_given_up(
    catalog, settings, django_capture_on_commit_callbacks
):
    settings.ALERT_EMAIL_RETRY_SECONDS = [60, 300]
    with smtp_server(
        "451 4.3.0 Try again later", "421 4.7.0 Busy", "554 5.0.0 No"
    ) as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
        subscription = subscribed(region="DE")
        with time_machine.travel(NOW, tick=False):
            [email] = emitted(
                step(incident_in("DE"), "opened", NOW, "DE"),
                django_capture_on_commit_callbacks,
            )
        email.refresh_from_db()
        assert (email.status, email.attempts) == ("pending", 1)
        assert "451" in email.error and "Try again later" in email.error
        assert email.next_attempt_at == NOW + MINUTES
        # Nothing went out, so the window is free for the retry.
        subscription.refresh_from_db()
        assert subscription.last_sent_at is None

        assert (
            email_sending.attempt(email.pk, now=NOW + timedelta(seconds=30)) is None
        )  # not due
        assert email_sending.attempt(email.pk, now=NOW + MINUTES) == 300.0
        assert email_sending.attempt(email.pk, now=NOW + 6 * MINUTES) is None
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", 3)
    assert "554" in email.error
    assert server.messages == []


def test_a_server_that_does_not_answer_is_a_failed_attempt(
    catalog, settings, django_capture_on_commit_callbacks
):
    with smtp_server() as server:
        port = server.port
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port  # nobody listens
    subscribed(region="DE")
    with time_machine.travel(NOW, tick=False):
        [email] = emitted(
            step(incident_in("DE"), "opened", NOW, "DE"),
            django_capture_on_commit_callbacks,
        )
    email.refresh_from_db()
    assert email.status == "pending" and "ConnectionRefusedError" in email.error


def test_the_sweep_finds_emails_whose_task_was_lost(catalog, sent_at_once):
    sent_at_once.side_effect = None  # the queued task never runs
    subscription = subscribed()
    email = Email.objects.create(
        subscription=subscription, kind="confirm", next_attempt_at=NOW
    )
    assert email_sending.due(NOW) == []
    assert email_sending.due(NOW + 2 * MINUTES) == [email.pk]


def test_an_email_claimed_twice_is_sent_once(catalog, inbox):
    subscription = subscribed()
    email = Email.objects.create(
        subscription=subscription, kind="confirm", next_attempt_at=NOW
    )
    assert email_sending.attempt(email.pk, now=NOW) is None
    assert email_sending.attempt(email.pk, now=NOW) is None
    assert len(inbox.messages) == 1
