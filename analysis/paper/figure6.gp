# Figure 6 of the paper, as the model predicts it: goodput (or CPU idle) vs send size for
# native, Workstation 2.0 and optimized, one panel per machine, the paper's published
# points (4 KB, PC-733: goodput and idle) as large open symbols. Data: figure6.csv and figure6_paper.csv
# (analysis/paper/tables.py). Variables (gnuplot -e): dir (directory of the CSVs and of
# the output), term ('png' or 'svg'), what ('goodput' or 'idle').
if (!exists("term")) term = 'png'
if (!exists("what")) what = 'goodput'
col = (what eq 'goodput') ? 4 : 5
base = (what eq 'goodput') ? 'figure6' : 'figure6_idle'
if (term eq 'png') set terminal pngcairo size 1400,560 font 'DejaVu Sans,11'; else set terminal svg size 1400,560 font 'DejaVu Sans,11' background rgb 'white'
set output dir.'/'.base.'.'.term
set datafile separator ','
set termoption noenhanced
data = dir.'/figure6.csv'
paper = dir.'/figure6_paper.csv'
set logscale x 2
set xrange [384:87381]
set xtics ('512' 512, '1K' 1024, '2K' 2048, '4K' 4096, '8K' 8192, '16K' 16384, '32K' 32768, '64K' 65536)
set xlabel 'send size (bytes per send())'
if (what eq 'goodput') set ylabel 'goodput (Mb/s)'; set yrange [0:100]
if (what ne 'goodput') set ylabel 'CPU idle (%)'; set yrange [0:100]
set grid
set key bottom right
set multiplot layout 1,2
do for [m in 'pc733 pc350'] {
    set title (m eq 'pc733' ? 'PC-733 (733 MHz), VM transmitting' : 'PC-350 (350 MHz), VM transmitting')
    sel(c) = (strcol(1) eq m && strcol(2) eq c) ? column(col) : NaN
    pt(c) = (m eq 'pc733') ? c.' (paper)' : ''
    psel(c) = (strcol(1) eq m && strcol(2) eq c) ? column(col) : NaN
    plot data every ::1 using 3:(sel('native')) with linespoints lw 2 pt 7 lc rgb '#1b9e77' title 'native (model)', \
         data every ::1 using 3:(sel('ws2')) with linespoints lw 2 pt 5 lc rgb '#d95f02' title 'Workstation 2.0 (model)', \
         data every ::1 using 3:(sel('opt')) with linespoints lw 2 pt 9 lc rgb '#7570b3' title 'optimized (model)', \
         paper every ::1 using 3:(psel('native')) with points pt 6 ps 3 lw 2 lc rgb '#1b9e77' title pt('native'), \
         paper every ::1 using 3:(psel('ws2')) with points pt 4 ps 3 lw 2 lc rgb '#d95f02' title pt('Workstation 2.0'), \
         paper every ::1 using 3:(psel('opt')) with points pt 8 ps 3 lw 2 lc rgb '#7570b3' title pt('optimized')
}
unset multiplot
