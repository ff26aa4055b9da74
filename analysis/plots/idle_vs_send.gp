# CPU idle vs send size: a curve per configuration, 95 % confidence bars when repeated.
# Same data and variables as throughput_vs_send.gp (columns 4 and 5: idle mean, ci95).
if (!exists("term")) term = 'png'
if (!exists("err")) err = 0
if (!exists("logx")) logx = 1
if (!exists("xlabel")) xlabel = 'workload.send_bytes'
h = nseries * 19 + 160
if (h < 560) h = 560
set terminal @term size 1000,h
set termoption noenhanced
set output out
set title 'Host CPU idle vs send size'
set xlabel xlabel.' (bytes per send())'
set ylabel 'CPU idle (%)'
if (logx) set logscale x 2
set grid
set offsets graph 0.03, graph 0.03, 0, 0
set yrange [0:100]
set key outside right top
if (err) {
    plot for [i=0:nseries-1] data index i using 1:4:5 with yerrorlines lw 2 pt 7 lt (i%8+1) dt 1+i/8%5 title columnheader(1)
} else {
    plot for [i=0:nseries-1] data index i using 1:4 with linespoints lw 2 pt 7 lt (i%8+1) dt 1+i/8%5 title columnheader(1)
}
