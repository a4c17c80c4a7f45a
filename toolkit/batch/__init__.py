"""toolkit.batch"""
