using Matching.Data.Reports;

namespace Matching.Scheduling.Tests;

public sealed class ReportMetricsTests
{
    /// <summary>Each count of the reports comes from exactly one column of one pass, and every column is a count the sheets show.</summary>
    [Fact]
    public void Every_count_is_computed_by_exactly_one_column_of_one_pass()
    {
        var computed = ReportMetrics.Sources.SelectMany(s => s.Metrics).ToList();
        Assert.Equal(ReportMetrics.Counts.Select(c => c.Key).Order(StringComparer.Ordinal), computed.Order(StringComparer.Ordinal));
        Assert.All(ReportMetrics.Shares, share => Assert.Contains(share.Numerator, computed));
        Assert.All(ReportMetrics.Shares, share => Assert.Contains(share.Denominator, computed));
    }
}
