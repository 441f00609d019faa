"""evalmon.sources"""
