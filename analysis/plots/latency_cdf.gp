# Latency CDF (send() to the peer's TCP, per segment) per configuration, repeats pooled,
# from each point's metrics.latency_hist (bucket upper bounds and counts).
# Data: blocks, one per configuration, each starting with its quoted title; columns
# upper bound (us), fraction of segments at or below it. Variables: data, out, term, nseries.
if (!exists("term")) term = 'png'
set terminal @term size 900,560
set termoption noenhanced
set output out
set title 'Segment latency CDF'
set xlabel 'latency (us)'
set ylabel 'fraction of segments'
set logscale x 10
set grid
set yrange [0:1.02]
set key below
plot for [i=0:nseries-1] data index i using 1:2 with steps lw 2 title columnheader(1)
