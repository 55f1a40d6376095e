"""The Slack adapter: Bolt listeners (one module per duty, named like the core package they call),
Slack's text and Block Kit rendering, the Web API side (Directory, delivery Transport), and the
front door that runs it all (`handlers.runtime`)."""
