"""toolkit.params"""
