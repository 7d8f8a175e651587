"""The radar itself: catalog, detection, the pipeline to a status, the web."""
