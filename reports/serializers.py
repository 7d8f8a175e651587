from rest_framework import serializers


class ReportIn(serializers.Serializer):
    service = serializers.CharField(
        max_length=50, help_text="Service slug, e.g. tiktok"
    )
    symptom = serializers.CharField(max_length=50, help_text="Symptom slug, e.g. login")
    region = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        help_text="ISO 3166 country or subdivision code (DE, US-CA); "
        "the client's IP country when absent",
    )


class ReportOut(serializers.Serializer):
    id = serializers.IntegerField()
    counted = serializers.BooleanField(
        help_text="False when the reporter already reported this service recently"
    )
    service = serializers.CharField()
    symptom = serializers.CharField()
    region = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


class BatchItemIn(ReportIn):
    reporter = serializers.CharField(
        max_length=200,
        required=False,
        help_text="Your opaque id for the person, so their repeats count once",
    )


class BatchIn(serializers.Serializer):
    reports = BatchItemIn(many=True)
