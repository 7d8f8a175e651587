"""The webhook endpoints: each owner manages their own webhooks with their
API token; anyone else's are 404, as if they did not exist."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.openapi import BAD_REQUEST, error
from outages.alerts import events, subscriptions
from outages.alerts.models import Delivery, Webhook
from outages.alerts.serializers import (
    DeliveryOut,
    WebhookCreatedOut,
    WebhookIn,
    WebhookOut,
)
from outages.web.api import Page, ReadApi
from reports.tokens import RememberedTokenAuthentication

UNAUTHORIZED = {401: error("No valid API token.")}
NO_WEBHOOK = {404: error("No such webhook among the token's own.")}


class OwnerApi:
    # The batch endpoint's: a revoked token keeps working for up to a minute.
    authentication_classes = [RememberedTokenAuthentication]
    permission_classes = [IsAuthenticated]
    filter_backends = []

    def webhook(self, pk: int) -> Webhook:
        found = (
            Webhook.objects.filter(pk=pk, owner=self.request.user)
            .select_related("service")
            .first()
        )
        if found is None:
            raise NotFound("No such webhook.")
        return found


@extend_schema_view(
    get=extend_schema(
        summary="Your webhooks",
        responses={200: WebhookOut(many=True), **BAD_REQUEST, **UNAUTHORIZED},
    ),
    post=extend_schema(
        summary="Subscribe a webhook",
        request=WebhookIn,
        responses={201: WebhookCreatedOut, **BAD_REQUEST, **UNAUTHORIZED},
    ),
)
class WebhookListApi(ReadApi, OwnerApi, generics.ListAPIView):
    """The token's webhooks, newest first; POST makes one, and its answer is
    the only one that shows the signing secret."""

    serializer_class = WebhookOut
    pagination_class = Page

    def get_queryset(self):
        return Webhook.objects.filter(owner=self.request.user).select_related("service")

    def post(self, request):
        given = WebhookIn(data=request.data)
        given.is_valid(raise_exception=True)
        webhook = subscriptions.subscribe(request.user, **given.validated_data)
        return Response(WebhookCreatedOut(webhook).data, status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        summary="One webhook", responses={200: WebhookOut, **UNAUTHORIZED, **NO_WEBHOOK}
    ),
    put=extend_schema(
        summary="Replace a webhook's subscription",
        request=WebhookIn,
        responses={200: WebhookOut, **BAD_REQUEST, **UNAUTHORIZED, **NO_WEBHOOK},
    ),
    patch=extend_schema(
        summary="Change some of a webhook's fields",
        request=WebhookIn,
        responses={200: WebhookOut, **BAD_REQUEST, **UNAUTHORIZED, **NO_WEBHOOK},
    ),
    delete=extend_schema(
        summary="Delete a webhook and its deliveries",
        responses={204: None, **UNAUTHORIZED, **NO_WEBHOOK},
    ),
)
class WebhookDetailApi(OwnerApi, APIView):
    def get(self, request, pk):
        return Response(WebhookOut(self.webhook(pk)).data)

    def put(self, request, pk):
        return self._change(request, pk, partial=False)

    def patch(self, request, pk):
        return self._change(request, pk, partial=True)

    def delete(self, request, pk):
        self.webhook(pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _change(self, request, pk, partial: bool):
        webhook = self.webhook(pk)
        given = WebhookIn(data=request.data, partial=partial)
        given.is_valid(raise_exception=True)
        subscriptions.change(webhook, **given.validated_data)
        return Response(WebhookOut(webhook).data)


@extend_schema(
    summary="Send a test event",
    request=None,
    responses={202: DeliveryOut, **UNAUTHORIZED, **NO_WEBHOOK},
)
class WebhookTestApi(OwnerApi, APIView):
    """Queue a `webhook.test` event for the webhook; its delivery is in the
    answer and then in the webhook's deliveries."""

    def post(self, request, pk):
        delivery = events.send_test(self.webhook(pk))
        return Response(DeliveryOut(delivery).data, status.HTTP_202_ACCEPTED)


@extend_schema(
    summary="A webhook's deliveries",
    responses={
        200: DeliveryOut(many=True),
        **BAD_REQUEST,
        **UNAUTHORIZED,
        **NO_WEBHOOK,
    },
)
class DeliveryListApi(ReadApi, OwnerApi, generics.ListAPIView):
    """The webhook's deliveries, newest first, with each one's last attempt."""

    serializer_class = DeliveryOut
    pagination_class = Page

    def get_queryset(self):
        webhook = self.webhook(self.kwargs["pk"])
        return Delivery.objects.filter(webhook=webhook).order_by("-created_at", "-id")
