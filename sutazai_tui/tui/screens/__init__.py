"""Screens: the dashboard and every sub-screen pushed over it."""
