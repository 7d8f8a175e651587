from django.core.servers.basehttp import WSGIServer

# The live test server listens with a backlog of 10, where production servers
# take thousands; the concurrency tests open 50 connections at once.
WSGIServer.request_queue_size = 128
