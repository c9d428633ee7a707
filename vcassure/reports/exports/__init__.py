"""The report and the KPIs as files: Excel (workbook.py), PDF (pdf.py), and the trend charts as
SVG (charts.py). They turn what the selectors return into bytes; they read nothing themselves."""
