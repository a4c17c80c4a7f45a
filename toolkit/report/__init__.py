"""toolkit.report"""
