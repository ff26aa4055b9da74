# Throughput vs send size: a curve per configuration, 95 % confidence bars when repeated.
# Data (written by 'vnicsim plot' from summary.csv): blocks, one per configuration, each
# starting with its quoted title; columns x, goodput mean, ci95, idle mean, ci95.
# Variables (gnuplot -e "..."): data, out, term (png|pngcairo|svg), nseries, err (1: bars),
# logx (1: log2 x axis), xlabel.
if (!exists("term")) term = 'png'
if (!exists("err")) err = 0
if (!exists("logx")) logx = 1
if (!exists("xlabel")) xlabel = 'workload.send_bytes'
h = nseries * 19 + 160
if (h < 560) h = 560
set terminal @term size 1000,h
set termoption noenhanced
set output out
set title 'Throughput vs send size'
set xlabel xlabel.' (bytes per send())'
set ylabel 'goodput (Mb/s)'
if (logx) set logscale x 2
set grid
set offsets graph 0.03, graph 0.03, 0, 0
set yrange [0:*]
set key outside right top
if (err) {
    plot for [i=0:nseries-1] data index i using 1:2:3 with yerrorlines lw 2 pt 7 lt (i%8+1) dt 1+i/8%5 title columnheader(1)
} else {
    plot for [i=0:nseries-1] data index i using 1:2 with linespoints lw 2 pt 7 lt (i%8+1) dt 1+i/8%5 title columnheader(1)
}
