"""Thin rx.State adapters: read the session, call a domain function, set vars."""
