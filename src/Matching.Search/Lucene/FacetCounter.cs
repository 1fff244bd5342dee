using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Matching.Search.Lucene;

/// <summary>
/// Counts, over every matching document, how many hold each value of the facet fields (Lucene.Net.Facet is not
/// available here): per segment, counts per ordinal of the field's sorted-set doc values, turned into values at the
/// segment's end.
/// </summary>
internal sealed class FacetCounter(IReadOnlyDictionary<string, string> facets) : ICollector
{
    private readonly Dictionary<string, Dictionary<string, long>> _totals =
        facets.Keys.ToDictionary(k => k, _ => new Dictionary<string, long>(StringComparer.Ordinal));
    private readonly List<(string Facet, SortedSetDocValues? Values, long[] Counts)> _segment = [];

    public bool AcceptsDocsOutOfOrder => true;

    public void SetScorer(Scorer scorer)
    {
    }

    public void SetNextReader(AtomicReaderContext context)
    {
        FlushSegment();
        foreach (var (facet, field) in facets)
        {
            var values = context.AtomicReader.GetSortedSetDocValues(field);
            _segment.Add((facet, values, new long[values?.ValueCount ?? 0]));
        }
    }

    public void Collect(int doc)
    {
        foreach (var (_, values, counts) in _segment)
        {
            if (values is null)
            {
                continue;
            }
            values.SetDocument(doc);
            long ord;
            while ((ord = values.NextOrd()) != SortedSetDocValues.NO_MORE_ORDS)
            {
                counts[ord]++;
            }
        }
    }

    private void FlushSegment()
    {
        var term = new BytesRef();
        foreach (var (facet, values, counts) in _segment)
        {
            for (var ord = 0; ord < counts.Length; ord++)
            {
                if (counts[ord] > 0)
                {
                    values!.LookupOrd(ord, term);
                    var key = term.Utf8ToString();
                    _totals[facet][key] = _totals[facet].GetValueOrDefault(key) + counts[ord];
                }
            }
        }
        _segment.Clear();
    }

    /// <summary>Values by count (then value), per facet.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> Result()
    {
        FlushSegment();
        return _totals.ToDictionary(
            f => f.Key,
            f => (IReadOnlyList<FacetValue>)f.Value.OrderByDescending(v => v.Value).ThenBy(v => v.Key, StringComparer.Ordinal)
                .Select(v => new FacetValue(v.Key, v.Value)).ToList());
    }
}
