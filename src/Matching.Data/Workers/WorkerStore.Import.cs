using System.Data.Common;
using Dapper;
using Matching.Data.Outbox;
using Matching.Data.Storage;
using Matching.Domain.Workers;

namespace Matching.Data.Workers;

/// <summary>Who already holds an ID number: the worker and its county.</summary>
public sealed record IdNumberHolder(long WorkerId, string CountyCode);

/// <summary>Spreadsheet imports (摸排表导入): look-up of existing holders and one transaction for all writes.</summary>
public sealed partial class WorkerStore
{
    private const string HoldersSql = "SELECT id, county_code, id_number_hash FROM workers WHERE id_number_hash IN @Hashes";

    /// <summary>
    /// Hashes per holder look-up. Microsoft.Data.Sqlite finds each parameter by name in the statement's list, so
    /// binding n costs n² comparisons: 10,000 look-ups took about twice as long 500 at a time as 100 at a time.
    /// </summary>
    private const int HoldersChunk = 100;

    /// <summary>For each ID number already registered, its holder (looked up by keyed hash), inside the import's transaction.</summary>
    private async Task<Dictionary<string, IdNumberHolder>> FindHoldersAsync(DbConnection connection, DbTransaction? tx, IReadOnlyList<string> idNumbers)
    {
        var byHash = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in idNumbers)
        {
            byHash[Convert.ToBase64String(protector.Hash("id", id))] = id;
        }
        var holders = new Dictionary<string, IdNumberHolder>(StringComparer.Ordinal);
        foreach (var chunk in byHash.Keys.Chunk(HoldersChunk))
        {
            var rows = await connection.QueryAsync<(long Id, string County, byte[] Hash)>(HoldersSql, new { Hashes = chunk.Select(Convert.FromBase64String).ToArray() }, tx);
            foreach (var (id, county, hash) in rows)
            {
                holders[byHash[Convert.ToBase64String(hash)]] = new IdNumberHolder(id, county);
            }
        }
        return holders;
    }

    /// <summary>
    /// Opens one transaction for an import that arrives in parts (a sheet read while it is written): look-ups and
    /// writes go through it, and nothing is kept unless <see cref="ImportWriter.CommitAsync"/> is called.
    /// </summary>
    public async Task<ImportWriter> BeginImportAsync(CancellationToken cancellationToken = default)
    {
        var connection = await database.OpenAsync(cancellationToken);
        try
        {
            // A sheet's rows land at random places of the ID-number and phone hash indexes: a page cache that holds them
            // keeps each touched page in memory until the commit instead of spilling and re-reading it (SQLite). The
            // holder look-ups run on the same connection, so the pages they read are the ones the inserts then change.
            if (database.Dialect.LargeWriteSettings is { } widen)
            {
                await connection.ExecuteAsync(widen);
            }
            var tx = await connection.BeginTransactionAsync(cancellationToken);
            return new ImportWriter(this, connection, tx, time.GetUtcNow());
        }
        catch
        {
            await ResetAsync(connection);
            throw;
        }
    }

    private async Task ResetAsync(DbConnection connection)
    {
        try
        {
            if (database.Dialect.LargeWriteReset is { } reset && connection.State == System.Data.ConnectionState.Open)
            {
                await connection.ExecuteAsync(reset);
            }
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    /// <summary>One import's open transaction: holder look-ups, creates and updates, then the outbox and commit.</summary>
    public sealed class ImportWriter : IAsyncDisposable
    {
        private readonly WorkerStore _store;
        private readonly DbConnection _connection;
        private readonly DbTransaction _tx;
        private readonly DateTimeOffset _now;
        private readonly List<byte[]> _createdHashes = [];
        private readonly List<long> _updatedIds = [];
        private bool _committed;

        internal ImportWriter(WorkerStore store, DbConnection connection, DbTransaction tx, DateTimeOffset now) =>
            (_store, _connection, _tx, _now) = (store, connection, tx, now);

        /// <summary>Rows written so far (created and updated), not yet committed.</summary>
        public int Written => _createdHashes.Count + _updatedIds.Count;

        /// <summary>For each ID number already registered (or created earlier in this transaction), its holder.</summary>
        public async Task<IReadOnlyDictionary<string, IdNumberHolder>> FindHoldersAsync(IReadOnlyList<string> idNumbers) =>
            await _store.FindHoldersAsync(_connection, _tx, idNumbers);

        public async Task WriteAsync(IReadOnlyList<WorkerDraft> creates, IReadOnlyList<(long Id, WorkerDraft Draft)> updates, CancellationToken cancellationToken = default)
        {
            var protectedRows = new ProtectedWorker[creates.Count];
            Parallel.For(0, creates.Count, i => protectedRows[i] = _store.Protect(creates[i]));
            await _store.InsertManyAsync(_connection, _tx, protectedRows, _now, cancellationToken);
            _createdHashes.AddRange(protectedRows.Select(w => w.IdNumberHash));
            foreach (var (id, draft) in updates)
            {
                var parameters = _store.Protect(draft).With(_now);
                parameters.Add("Id", id);
                await _connection.ExecuteAsync(UpdateSql, parameters, _tx);
                _updatedIds.Add(id);
            }
        }

        /// <summary>Writes the search outbox for every row written and commits: the rows created and updated.</summary>
        public async Task<(int Created, int Updated)> CommitAsync(CancellationToken cancellationToken = default)
        {
            // A few hundred rows per statement instead of one statement per row; the new rows are found by their
            // (unique) ID-number hash, so no insert has to read its id back.
            foreach (var chunk in _createdHashes.Chunk(OutboxChunk))
            {
                await _connection.ExecuteAsync(OutboxCreatedSql, new { Entity = OutboxEntity, Operation = OutboxWriter.Upsert, CreatedAt = _now, Hashes = chunk }, _tx);
            }
            foreach (var chunk in _updatedIds.Chunk(OutboxChunk))
            {
                await _connection.ExecuteAsync(OutboxUpdatedSql, new { Entity = OutboxEntity, Operation = OutboxWriter.Upsert, CreatedAt = _now, Ids = chunk }, _tx);
            }
            await _tx.CommitAsync(cancellationToken);
            _committed = true;
            return (_createdHashes.Count, _updatedIds.Count);
        }

        /// <summary>Rolls back unless committed (nothing of the import is kept), and gives the connection back as it was.</summary>
        public async ValueTask DisposeAsync()
        {
            try
            {
                if (!_committed)
                {
                    await _tx.RollbackAsync();
                }
                await _tx.DisposeAsync();
            }
            finally
            {
                await _store.ResetAsync(_connection);
            }
        }
    }

    /// <summary>
    /// Seconds SQLite itself takes to store <paramref name="rows"/> more workers in one statement and commit them: copies
    /// of the newest rows with new random hashes, through every index and trigger of workers, with the import's page
    /// cache. No .NET code runs per row, so no import can be faster (the import benchmark's floor). The copies are
    /// deleted afterwards, untimed. SQLite only (randomblob).
    /// </summary>
    public async Task<double> TimeStorageFloorAsync(int rows, CancellationToken cancellationToken = default)
    {
        if (database.Dialect is not SqliteDialect)
        {
            throw new NotSupportedException("the storage floor is measured on the embedded SQLite database only");
        }
        var connection = await database.OpenAsync(cancellationToken);
        try
        {
            var before = await connection.ExecuteScalarAsync<long>(NewestIdSql);
            if (database.Dialect.LargeWriteSettings is { } widen)
            {
                await connection.ExecuteAsync(widen);
            }
            var started = time.GetTimestamp();
            await using (var tx = await connection.BeginTransactionAsync(cancellationToken))
            {
                await connection.ExecuteAsync(FloorCopiesSql + database.Dialect.Page, new { Take = rows, Skip = 0 }, tx);
                await tx.CommitAsync(cancellationToken);
            }
            var seconds = time.GetElapsedTime(started).TotalSeconds;
            await connection.ExecuteAsync(DeleteNewerSql, new { Before = before });
            return seconds;
        }
        finally
        {
            await ResetAsync(connection);
        }
    }

    private const string NewestIdSql = "SELECT COALESCE(MAX(id), 0) FROM workers";

    private const string DeleteNewerSql = "DELETE FROM workers WHERE id > @Before";

    private const string FloorCopiesSql = """
        INSERT INTO workers (real_name, id_number_hash, id_number_cipher, id_number_masked, gender, birth_date, phone_hash, phone_cipher,
            phone_masked, county_code, prefecture_code, education, trades_json, trade_ids, certificates_json, priority_groups, destinations,
            expected_wage, available_from, training_intentions, notes, created_at, updated_at, version, vital_status, household_number,
            household_type, employment_status)
        SELECT real_name, randomblob(32), id_number_cipher, id_number_masked, gender, birth_date, randomblob(32), phone_cipher,
            phone_masked, county_code, prefecture_code, education, trades_json, trade_ids, certificates_json, priority_groups, destinations,
            expected_wage, available_from, training_intentions, notes, created_at, updated_at, version, vital_status, household_number,
            household_type, employment_status
        FROM workers ORDER BY id DESC
        """;

    /// <summary>
    /// Rows of the outbox per statement. Small enough that binding stays cheap: Microsoft.Data.Sqlite finds each
    /// parameter by name in the statement's list, so binding n parameters costs n² comparisons (1,000 took ~70 ms).
    /// </summary>
    private const int OutboxChunk = 200;

    private const string OutboxCreatedSql = """
        INSERT INTO outbox (entity, entity_id, operation, created_at, attempts)
        SELECT @Entity, w.id, @Operation, @CreatedAt, 0 FROM workers w WHERE w.id_number_hash IN @Hashes
        """;

    private const string OutboxUpdatedSql = """
        INSERT INTO outbox (entity, entity_id, operation, created_at, attempts)
        SELECT @Entity, w.id, @Operation, @CreatedAt, 0 FROM workers w WHERE w.id IN @Ids
        """;
}
