"""The monthly statistics circular (月度统计通报): figures, summary, chart, workbook, sending."""
