"""The Textual UI: app, screens, controllers, widgets. The only layer that imports textual."""
