using System.Globalization;
using System.Text;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Matching.Search.Documents;
using Directory = System.IO.Directory;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Matching.Search.Lucene;

/// <summary>
/// The embedded default: two Lucene.NET indexes (workers, openings) in <c>{DataDirectory}/index/g{n}/</c>. The file
/// <c>current</c> names the live generation; a rebuild fills a new generation and swaps the name atomically.
/// Text arrives already analysed (space-separated tokens, see <see cref="Analysis.SearchAnalyzer"/>), so the index
/// only splits on whitespace. Scores are BM25 plus constant preferences, as in Elasticsearch.
/// </summary>
public sealed class LuceneSearchIndex : ISearchIndex
{
    private const LuceneVersion Version = LuceneVersion.LUCENE_48;
    private const string CurrentFile = "current";

    private readonly string _root;
    private readonly System.Threading.Lock _swap = new();
    private Generation? _live;

    public LuceneSearchIndex(string indexDirectory, QueryPlanner planner)
    {
        _root = Path.GetFullPath(indexDirectory);
        Planner = planner;
    }

    public string Engine => "lucene";

    public string Root => _root;

    /// <summary>The folder of the live generation.</summary>
    public string? LiveDirectory => _live?.Path;

    public Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        lock (_swap)
        {
            if (_live is not null)
            {
                return Task.CompletedTask;
            }
            Directory.CreateDirectory(_root);
            var pointer = Path.Combine(_root, CurrentFile);
            string name;
            if (File.Exists(pointer))
            {
                name = File.ReadAllText(pointer).Trim();
            }
            else
            {
                name = GenerationName(1);
                WritePointer(name);
            }
            _live = Generation.Open(Path.Combine(_root, name));
        }
        return Task.CompletedTask;
    }

    private Generation Live => _live ?? throw new InvalidOperationException("索引尚未打开（先调用 EnsureCreatedAsync）");

    public Task UpsertWorkersAsync(IReadOnlyList<WorkerDocument> documents, CancellationToken cancellationToken = default)
    {
        var writer = Live.Workers;
        foreach (var d in documents)
        {
            writer.UpdateDocument(IdTerm(d.Id), ToLucene(d));
        }
        return Task.CompletedTask;
    }

    public Task DeleteWorkersAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default)
    {
        Live.Workers.DeleteDocuments(ids.Select(IdTerm).ToArray());
        return Task.CompletedTask;
    }

    public Task UpsertOpeningsAsync(IReadOnlyList<OpeningDocument> documents, CancellationToken cancellationToken = default)
    {
        var writer = Live.Openings;
        foreach (var d in documents)
        {
            writer.UpdateDocument(IdTerm(d.Id), ToLucene(d));
        }
        return Task.CompletedTask;
    }

    public Task DeleteOpeningsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default)
    {
        Live.Openings.DeleteDocuments(ids.Select(IdTerm).ToArray());
        return Task.CompletedTask;
    }

    public Task CommitAsync(CancellationToken cancellationToken = default)
    {
        var live = Live;
        live.Workers.Commit();
        live.Openings.Commit();
        live.WorkerSearcher.MaybeRefreshBlocking();
        live.OpeningSearcher.MaybeRefreshBlocking();
        return Task.CompletedTask;
    }

    public Task<SearchResult> SearchWorkersAsync(WorkerSearch search, SearchScope scope, CancellationToken cancellationToken = default) =>
        Task.FromResult(Run(g => g.WorkerSearcher, PlannerFor(search, scope)));

    public Task<SearchResult> SearchOpeningsAsync(OpeningSearch search, SearchScope scope, CancellationToken cancellationToken = default) =>
        Task.FromResult(Run(g => g.OpeningSearcher, PlannerFor(search, scope)));

    public Task<IReadOnlyList<SearchHit>> RecallWorkersAsync(CandidateCriteria criteria, SearchScope scope, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult(Run(g => g.WorkerSearcher, Planner.Candidates(criteria, scope, limit)).Hits);

    public Task<IReadOnlyList<SearchHit>> RecallOpeningsAsync(OpeningCriteria criteria, SearchScope scope, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult(Run(g => g.OpeningSearcher, Planner.OpeningsFor(criteria, scope, limit)).Hits);

    /// <summary>The planner shared with the other engine.</summary>
    public QueryPlanner Planner { get; }

    private QueryPlan PlannerFor(WorkerSearch search, SearchScope scope) => Planner.Workers(search, scope);

    private QueryPlan PlannerFor(OpeningSearch search, SearchScope scope) => Planner.Openings(search, scope);

    public Task<IndexCounts> CountAsync(CancellationToken cancellationToken = default)
    {
        long Count(Func<Generation, SearcherManager> manager) => WithSearcher(manager, s => (long)s.IndexReader.NumDocs);
        return Task.FromResult(new IndexCounts(Count(g => g.WorkerSearcher), Count(g => g.OpeningSearcher)));
    }

    public Task<IReadOnlyList<IndexedFingerprint>> WorkerFingerprintsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default) =>
        Task.FromResult(Fingerprints(g => g.WorkerSearcher, ids));

    public Task<IReadOnlyList<IndexedFingerprint>> OpeningFingerprintsAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken = default) =>
        Task.FromResult(Fingerprints(g => g.OpeningSearcher, ids));

    public Task<IReadOnlyList<long>> OpeningsOfCohortAsync(long cohortId, CancellationToken cancellationToken = default)
    {
        var plan = new QueryPlan([new AnyTerm(Fields.Cohort, [cohortId.ToString(CultureInfo.InvariantCulture)])], [], null,
            [new SortKey(Fields.Id, false)], 0, 1000, new Dictionary<string, string>());
        IReadOnlyList<long> ids = Run(g => g.OpeningSearcher, plan).Hits.Select(h => h.Id).ToList();
        return Task.FromResult(ids);
    }

    public Task<IIndexRebuild> BeginRebuildAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(_root);
        var number = Directory.GetDirectories(_root, "g*").Select(d => int.TryParse(Path.GetFileName(d)[1..], out var n) ? n : 0)
            .DefaultIfEmpty(0).Max() + 1;
        var path = Path.Combine(_root, GenerationName(number));
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        return Task.FromResult<IIndexRebuild>(new Rebuild(this, Generation.Open(path)));
    }

    public void Dispose()
    {
        lock (_swap)
        {
            _live?.Dispose();
            _live = null;
        }
    }

    // ---- documents -------------------------------------------------------------------------------------------

    /// <summary>The Lucene document of a worker; the same values as the Elasticsearch bulk line (a test compares them).</summary>
    internal static Document ToLucene(WorkerDocument d) => Build(d.Id, d.Hash, d.Tokens, Fields.Keywords(d), Fields.Numbers(d), WorkerFacetFields);

    internal static Document ToLucene(OpeningDocument d) => Build(d.Id, d.Hash, d.Tokens, Fields.Keywords(d), Fields.Numbers(d), OpeningFacetFields);

    /// <summary>
    /// All exact-match values go into one field as <c>field=value</c> terms (no positions, no norms): one inverted field
    /// per document instead of twenty makes indexing about twice as fast. Facet fields also get sorted-set doc values
    /// under their own name; numbers are doc values (ranges and sorting read them).
    /// </summary>
    internal const string KeywordField = "k";

    private static readonly FieldType KeywordType = new()
    {
        IsIndexed = true,
        IsTokenized = true,
        OmitNorms = true,
        IndexOptions = IndexOptions.DOCS_ONLY,
    };

    private static readonly HashSet<string> WorkerFacetFields = [.. Fields.WorkerFacetFields.Values];
    private static readonly HashSet<string> OpeningFacetFields = [.. Fields.OpeningFacetFields.Values];

    internal static string KeywordTerm(string field, string value) => string.Concat(field, "=", value);

    private static Document Build(long id, string hash, IReadOnlyList<string> tokens,
        IEnumerable<(string Field, IReadOnlyList<string> Values)> keywords, IEnumerable<(string Field, long Value)> numbers,
        HashSet<string> facetFields)
    {
        var doc = new Document
        {
            new StoredField(Fields.Hash, hash),
            new TextField(Fields.Text, string.Join(' ', tokens), Field.Store.NO),
        };
        var terms = new StringBuilder(512);
        terms.Append(KeywordTerm(Fields.Id, id.ToString(CultureInfo.InvariantCulture)));
        foreach (var (field, values) in keywords)
        {
            foreach (var value in values)
            {
                terms.Append(' ').Append(field).Append('=').Append(value);
                if (facetFields.Contains(field))
                {
                    doc.Add(new SortedSetDocValuesField(field, new BytesRef(value)));
                }
            }
        }
        doc.Add(new Field(KeywordField, terms.ToString(), KeywordType));
        foreach (var (field, value) in numbers)
        {
            doc.Add(new NumericDocValuesField(field, value));
        }
        return doc;
    }

    private static Term IdTerm(long id) => new(KeywordField, KeywordTerm(Fields.Id, id.ToString(CultureInfo.InvariantCulture)));

    // ---- queries ---------------------------------------------------------------------------------------------

    private T WithSearcher<T>(Func<Generation, SearcherManager> manager, Func<IndexSearcher, T> work)
    {
        IndexSearcher searcher;
        lock (_swap)
        {
            searcher = manager(Live).Acquire();
        }
        try
        {
            return work(searcher);
        }
        finally
        {
            // Releasing through the reader keeps working after a swap has disposed the manager.
            searcher.IndexReader.DecRef();
        }
    }

    private SearchResult Run(Func<Generation, SearcherManager> manager, QueryPlan plan) =>
        WithSearcher(manager, searcher => Execute(searcher, plan));

    /// <summary>Translates the engine-neutral plan to Lucene queries and runs it.</summary>
    internal static SearchResult Execute(IndexSearcher searcher, QueryPlan plan)
    {
        var query = ToQuery(plan);
        var sort = new Sort(plan.Sort.Select(k => k.Field == SortKey.Score
            ? SortField.FIELD_SCORE
            : new SortField(k.Field, SortFieldType.INT64, k.Descending)).ToArray());
        var wanted = Math.Max(1, plan.From + plan.Size);
        var top = TopFieldCollector.Create(sort, wanted, fillFields: true, trackDocScores: true, trackMaxScore: false, docsScoredInOrder: false);
        var facets = plan.Facets.Count > 0 ? new FacetCounter(plan.Facets) : null;
        searcher.Search(query, facets is null ? top : MultiCollector.Wrap(top, facets));
        var docs = top.GetTopDocs(plan.From, plan.Size);
        var idPosition = plan.Sort.Count - 1;
        var hits = docs.ScoreDocs.Select(sd => new SearchHit(Convert.ToInt64(((FieldDoc)sd).Fields[idPosition], CultureInfo.InvariantCulture), float.IsNaN(sd.Score) ? 0 : sd.Score)).ToList();
        return new SearchResult(hits, top.TotalHits, facets?.Result() ?? new Dictionary<string, IReadOnlyList<FacetValue>>());
    }

    internal static Query ToQuery(QueryPlan plan)
    {
        var root = new BooleanQuery(disableCoord: true);
        var ranges = new List<InRange>();
        foreach (var condition in plan.Filters)
        {
            switch (condition)
            {
                case InRange range:
                    ranges.Add(range);
                    break;
                case Not not:
                    root.Add(Filter(not.Condition), Occur.MUST_NOT);
                    break;
                default:
                    // Boost 0: a filter adds nothing to the score.
                    root.Add(new ConstantScoreQuery(Filter(condition)) { Boost = 0 }, Occur.MUST);
                    break;
            }
        }
        foreach (var p in plan.Preferences)
        {
            root.Add(new ConstantScoreQuery(new TermQuery(new Term(KeywordField, KeywordTerm(p.Field, p.Value)))) { Boost = (float)p.Weight }, Occur.SHOULD);
        }
        if (plan.Text is { } text)
        {
            var tokens = new BooleanQuery(disableCoord: true);
            foreach (var token in text.Tokens)
            {
                tokens.Add(new TermQuery(new Term(Fields.Text, token)), Occur.SHOULD);
            }
            foreach (var concept in text.OrConcepts ?? [])
            {
                tokens.Add(new ConstantScoreQuery(new TermQuery(new Term(KeywordField, KeywordTerm(Fields.Concept, concept)))) { Boost = (float)TextMatch.ConceptWeight }, Occur.SHOULD);
            }
            if (text.Required && text.Tokens.Count == 0 && (text.OrConcepts ?? []).Count == 0)
            {
                root.Add(new TermQuery(new Term(KeywordField, KeywordTerm(Fields.Id, "-"))), Occur.MUST);
            }
            else if (tokens.Clauses.Count > 0)
            {
                root.Add(tokens, text.Required ? Occur.MUST : Occur.SHOULD);
            }
        }
        if (root.Clauses.Count == 0 || root.Clauses.All(c => c.Occur == Occur.SHOULD))
        {
            // Only preferences (or nothing): every document qualifies, the preferences order them.
            root.Add(new ConstantScoreQuery(new MatchAllDocsQuery()) { Boost = 0 }, Occur.MUST);
        }
        Query query = root;
        foreach (var range in ranges)
        {
            // Numeric ranges read doc values of the candidates the term filters leave, instead of enumerating terms.
            query = new FilteredQuery(query, FieldCacheRangeFilter.NewInt64Range(range.Field, range.Min, range.Max, true, true),
                FilteredQuery.QUERY_FIRST_FILTER_STRATEGY);
        }
        return query;
    }

    /// <summary>A condition as a matching query (its score is never used).</summary>
    private static Query Filter(Condition condition)
    {
        switch (condition)
        {
            case AnyTerm any:
                return Terms(any.Field, any.Values);
            case InRange range:
                return new ConstantScoreQuery(FieldCacheRangeFilter.NewInt64Range(range.Field, range.Min, range.Max, true, true));
            case AnyTermInSpan spans:
                var anySpan = new BooleanQuery(disableCoord: true);
                foreach (var span in spans.Spans)
                {
                    anySpan.Add(TermRangeQuery.NewStringRange(KeywordField, KeywordTerm(spans.Field, span.Lower), KeywordTerm(spans.Field, span.Upper), true, true), Occur.SHOULD);
                }
                return anySpan;
            case AllOf all:
                var every = new BooleanQuery(disableCoord: true);
                foreach (var inner in all.Conditions)
                {
                    every.Add(Filter(inner), Occur.MUST);
                }
                return every;
            case Not not:
                var except = new BooleanQuery(disableCoord: true)
                {
                    { new MatchAllDocsQuery(), Occur.MUST },
                    { Filter(not.Condition), Occur.MUST_NOT },
                };
                return except;
            default:
                throw new NotSupportedException(condition.GetType().Name);
        }
    }

    private static Query Terms(string field, IReadOnlyList<string> values)
    {
        if (values.Count == 1)
        {
            return new TermQuery(new Term(KeywordField, KeywordTerm(field, values[0])));
        }
        var any = new BooleanQuery(disableCoord: true);
        foreach (var value in values)
        {
            any.Add(new TermQuery(new Term(KeywordField, KeywordTerm(field, value))), Occur.SHOULD);
        }
        return any;
    }

    private IReadOnlyList<IndexedFingerprint> Fingerprints(Func<Generation, SearcherManager> manager, IReadOnlyList<long> ids) =>
        WithSearcher<IReadOnlyList<IndexedFingerprint>>(manager, searcher =>
        {
            var result = new List<IndexedFingerprint>();
            foreach (var id in ids)
            {
                var top = searcher.Search(new TermQuery(IdTerm(id)), 1);
                if (top.TotalHits > 0)
                {
                    result.Add(new IndexedFingerprint(id, searcher.Doc(top.ScoreDocs[0].Doc).Get(Fields.Hash)));
                }
            }
            return result;
        });

    // ---- generations -----------------------------------------------------------------------------------------

    private static string GenerationName(int number) => string.Create(CultureInfo.InvariantCulture, $"g{number:D6}");

    private void WritePointer(string name)
    {
        // Write then rename: the pointer is either the old or the new name, never half of one.
        var temporary = Path.Combine(_root, CurrentFile + ".tmp");
        File.WriteAllText(temporary, name);
        File.Move(temporary, Path.Combine(_root, CurrentFile), overwrite: true);
    }

    private void Swap(Generation next)
    {
        Generation? old;
        lock (_swap)
        {
            WritePointer(Path.GetFileName(next.Path));
            old = _live;
            _live = next;
        }
        if (old is not null)
        {
            old.Dispose();
            try
            {
                Directory.Delete(old.Path, recursive: true);
            }
            catch (IOException)
            {
                // Files still open by a search finishing now; the next rebuild's number is higher anyway.
            }
        }
    }

    private sealed class Rebuild(LuceneSearchIndex owner, Generation generation) : IIndexRebuild
    {
        private bool _swapped;

        public string Version => Path.GetFileName(generation.Path);

        public Task AddWorkersAsync(IReadOnlyList<WorkerDocument> documents, CancellationToken cancellationToken = default)
        {
            foreach (var d in documents)
            {
                generation.Workers.AddDocument(ToLucene(d));
            }
            return Task.CompletedTask;
        }

        public Task AddOpeningsAsync(IReadOnlyList<OpeningDocument> documents, CancellationToken cancellationToken = default)
        {
            foreach (var d in documents)
            {
                generation.Openings.AddDocument(ToLucene(d));
            }
            return Task.CompletedTask;
        }

        public Task SwapAsync(CancellationToken cancellationToken = default)
        {
            generation.Workers.Commit();
            generation.Openings.Commit();
            generation.WorkerSearcher.MaybeRefreshBlocking();
            generation.OpeningSearcher.MaybeRefreshBlocking();
            owner.Swap(generation);
            _swapped = true;
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            if (!_swapped)
            {
                generation.Dispose();
                Directory.Delete(generation.Path, recursive: true);
            }
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>One generation: a writer and a near-real-time searcher manager per index.</summary>
    private sealed class Generation : IDisposable
    {
        private readonly LuceneDirectory _workersDirectory;
        private readonly LuceneDirectory _openingsDirectory;

        private Generation(string path)
        {
            Path = path;
            _workersDirectory = FSDirectory.Open(System.IO.Path.Combine(path, "workers"));
            _openingsDirectory = FSDirectory.Open(System.IO.Path.Combine(path, "openings"));
            Workers = NewWriter(_workersDirectory);
            Openings = NewWriter(_openingsDirectory);
            WorkerSearcher = new SearcherManager(Workers, applyAllDeletes: true, new Bm25SearcherFactory());
            OpeningSearcher = new SearcherManager(Openings, applyAllDeletes: true, new Bm25SearcherFactory());
        }

        public string Path { get; }
        public IndexWriter Workers { get; }
        public IndexWriter Openings { get; }
        public SearcherManager WorkerSearcher { get; }
        public SearcherManager OpeningSearcher { get; }

        public static Generation Open(string path)
        {
            Directory.CreateDirectory(path);
            return new Generation(path);
        }

        private static IndexWriter NewWriter(LuceneDirectory directory)
        {
            var config = new IndexWriterConfig(Version, new WhitespaceAnalyzer(Version))
            {
                OpenMode = OpenMode.CREATE_OR_APPEND,
                Similarity = new BM25Similarity(),
                // Big in-memory segments and no compound files: a rebuild of a million documents flushes and merges less.
                RAMBufferSizeMB = 256,
                UseCompoundFile = false,
            };
            var writer = new IndexWriter(directory, config);
            // A fresh index gets a first commit, so readers can open it before anything is written.
            writer.Commit();
            return writer;
        }

        public void Dispose()
        {
            WorkerSearcher.Dispose();
            OpeningSearcher.Dispose();
            Workers.Dispose();
            Openings.Dispose();
            _workersDirectory.Dispose();
            _openingsDirectory.Dispose();
        }
    }

    /// <summary>
    /// Searchers score with BM25 and are warmed before they serve: the numeric doc values that range filters and sorts
    /// read through the field cache are loaded for every new segment here, not by the first request that needs them
    /// (at a million workers that request took several hundred milliseconds longer).
    /// </summary>
    private sealed class Bm25SearcherFactory : SearcherFactory
    {
        public override IndexSearcher NewSearcher(IndexReader reader)
        {
            foreach (var leaf in reader.Leaves)
            {
                var segment = leaf.AtomicReader;
                foreach (var field in segment.FieldInfos)
                {
                    if (field.DocValuesType == DocValuesType.NUMERIC)
                    {
                        FieldCache.DEFAULT.GetInt64s(segment, field.Name, setDocsWithField: false);
                    }
                }
            }
            return new IndexSearcher(reader) { Similarity = new BM25Similarity() };
        }
    }
}
