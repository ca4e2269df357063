"""The production and capacity plan: a mixed-integer programme solved by HiGHS."""
