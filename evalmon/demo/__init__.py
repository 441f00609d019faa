"""evalmon.demo"""
