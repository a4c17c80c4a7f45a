"""toolkit.settlement"""
