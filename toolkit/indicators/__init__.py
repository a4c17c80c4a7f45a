"""toolkit.indicators"""
