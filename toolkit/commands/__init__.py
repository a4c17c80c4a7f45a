"""toolkit.commands"""

#: the languages a command prints its lines in (``--lang``): ``both`` prints the Chinese lines, then the English
PRINT_LANGS = {"zh": ("zh",), "en": ("en",), "both": ("zh", "en")}
