"""PLACEHOLDER until the front-door branch lands."""
import threading
from waitress import create_server
from slack_bolt.adapter.wsgi import SlackRequestHandler


class SlackHttpServer:
    def __init__(self, bolt_app, host, port, *, signing_secret=""):
        self.server = create_server(SlackRequestHandler(bolt_app, path="/slack/events"), host=host, port=port, threads=16, backlog=1024)
        self.port = self.server.effective_port

    def serve_forever(self):
        self.server.run()

    def start_in_background(self):
        threading.Thread(target=self.server.run, daemon=True).start()

    def close(self):
        self.server.close()
