"""toolkit.did"""
