"""evalmon.ui"""
