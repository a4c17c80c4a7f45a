"""toolkit.commands"""
