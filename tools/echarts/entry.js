// The charts the web application draws (ChartSpec: bar, line and pie, with an axis grid, a tooltip and a scrolling
// legend) on a canvas, as window.echarts for wwwroot/js/app.js. Everything else of ECharts is left out.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);
window.echarts = echarts;
