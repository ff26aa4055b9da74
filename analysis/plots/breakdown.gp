# Stacked host CPU breakdown (breakdown.total.*.pct, mean over repeats), one bar per
# configuration. Data: a header line ("configuration" then the category names), then one
# row per configuration: its quoted label and the percentage of each category.
# Variables: data, out, term, ncats, nrows, xlabel (the axes, in label order).
if (!exists("term")) term = 'png'
if (!exists("nrows")) nrows = 10
if (!exists("xlabel")) xlabel = 'configuration'
w = nrows * 38 + 420
if (w < 900) w = 900
set terminal @term size w,620
set termoption noenhanced
set output out
set title 'Host CPU time by category'
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.75
set key outside right top reverse Left
set xtics rotate by -45 left
set xlabel xlabel
set ylabel 'share of CPU time (%)'
set yrange [0:105]
set grid y
plot for [i=2:ncats+1] data using i:xtic(1) title columnheader(i)
