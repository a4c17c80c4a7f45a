"""toolkit.data"""
