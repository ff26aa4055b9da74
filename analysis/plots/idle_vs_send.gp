# CPU idle vs send size: a curve per configuration, 95 % confidence bars when repeated.
# Same data and variables as throughput_vs_send.gp (columns 4 and 5: idle mean, ci95).
if (!exists("term")) term = 'png'
if (!exists("err")) err = 0
if (!exists("logx")) logx = 1
if (!exists("xlabel")) xlabel = 'workload.send_bytes'
set terminal @term size 900,560
set termoption noenhanced
set output out
set title 'Host CPU idle vs send size'
set xlabel xlabel.' (bytes per send())'
set ylabel 'CPU idle (%)'
if (logx) set logscale x 2
set grid
set yrange [0:100]
set key below
if (err) {
    plot for [i=0:nseries-1] data index i using 1:4:5 with yerrorlines lw 2 pt 7 title columnheader(1)
} else {
    plot for [i=0:nseries-1] data index i using 1:4 with linespoints lw 2 pt 7 title columnheader(1)
}
