"""evalmon.ui.panels: one panel per module; each draws a slice of a snapshot."""
