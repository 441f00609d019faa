"""evalmon.widgets"""
