# Latency CDF (send() to the peer's TCP, per segment) per configuration, repeats pooled,
# from each point's metrics.latency_hist (bucket upper bounds and counts).
# Data: blocks, one per configuration, each starting with its quoted title; columns
# upper bound (us), fraction of segments at or below it. Variables: data, out, term, nseries.
if (!exists("term")) term = 'png'
h = nseries * 19 + 160
if (h < 560) h = 560
set terminal @term size 1000,h
set termoption noenhanced
set output out
set title 'Segment latency CDF'
set xlabel 'latency (us)'
set ylabel 'fraction of segments'
set logscale x 10
set grid
set yrange [0:1.02]
set key outside right top
plot for [i=0:nseries-1] data index i using 1:2 with steps lw 2 lt (i%8+1) dt 1+i/8%5 title columnheader(1)
