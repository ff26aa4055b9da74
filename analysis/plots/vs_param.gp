# Throughput (top) and CPU idle (bottom) vs one swept parameter (a cost, a clock, ...):
# a curve per combination of the other axes, 95 % confidence bars when repeated.
# Data: as throughput_vs_send.gp, x = the parameter. Variables: data, out, term, nseries,
# err, logx (1: log10 x axis), xlabel (the parameter's path).
if (!exists("term")) term = 'png'
if (!exists("err")) err = 0
if (!exists("logx")) logx = 0
h = nseries * 38 + 160
if (h < 820) h = 820
set terminal @term size 1000,h
set termoption noenhanced
set output out
set multiplot layout 2,1 title 'Throughput and CPU idle vs '.xlabel
if (logx) set logscale x 10
set grid
set offsets graph 0.03, graph 0.03, 0, 0
set xlabel xlabel
set key outside right top
set ylabel 'goodput (Mb/s)'
set yrange [0:*]
if (err) {
    plot for [i=0:nseries-1] data index i using 1:2:3 with yerrorlines lw 2 pt 7 lt (i%8+1) dt 1+i/8%5 title columnheader(1)
} else {
    plot for [i=0:nseries-1] data index i using 1:2 with linespoints lw 2 pt 7 lt (i%8+1) dt 1+i/8%5 title columnheader(1)
}
set ylabel 'CPU idle (%)'
set yrange [0:100]
if (err) {
    plot for [i=0:nseries-1] data index i using 1:4:5 with yerrorlines lw 2 pt 7 lt (i%8+1) dt 1+i/8%5 title columnheader(1)
} else {
    plot for [i=0:nseries-1] data index i using 1:4 with linespoints lw 2 pt 7 lt (i%8+1) dt 1+i/8%5 title columnheader(1)
}
unset multiplot
