"""evalmon.supervisor"""
