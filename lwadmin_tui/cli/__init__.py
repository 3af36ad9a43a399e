"""The command: arguments, settings, the launch of the app, the demo, `auth` and `doctor`."""
