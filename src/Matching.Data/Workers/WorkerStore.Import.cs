using System.Data.Common;
using Dapper;
using Matching.Data.Outbox;
using Matching.Domain.Workers;

namespace Matching.Data.Workers;

/// <summary>Who already holds an ID number: the worker and its county.</summary>
public sealed record IdNumberHolder(long WorkerId, string CountyCode);

/// <summary>Spreadsheet imports (摸排表导入): look-up of existing holders and one transaction for all writes.</summary>
public sealed partial class WorkerStore
{
    private const string HoldersSql = "SELECT id, county_code, id_number_hash FROM workers WHERE id_number_hash IN @Hashes";

    /// <summary>For each ID number already registered, its holder (looked up by keyed hash, 500 at a time).</summary>
    public async Task<IReadOnlyDictionary<string, IdNumberHolder>> FindHoldersAsync(IReadOnlyList<string> idNumbers, CancellationToken cancellationToken = default)
    {
        var byHash = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in idNumbers)
        {
            byHash[Convert.ToBase64String(protector.Hash("id", id))] = id;
        }
        var holders = new Dictionary<string, IdNumberHolder>(StringComparer.Ordinal);
        await using var connection = await database.OpenAsync(cancellationToken);
        foreach (var chunk in byHash.Keys.Chunk(500))
        {
            var rows = await connection.QueryAsync<(long Id, string County, byte[] Hash)>(HoldersSql, new { Hashes = chunk.Select(Convert.FromBase64String).ToArray() });
            foreach (var (id, county, hash) in rows)
            {
                holders[byHash[Convert.ToBase64String(hash)]] = new IdNumberHolder(id, county);
            }
        }
        return holders;
    }

    /// <summary>
    /// Creates and updates workers in one transaction (nothing is written if any write fails), with the search outbox
    /// in the same transaction. The caller has checked every row and who holds each ID number.
    /// </summary>
    public async Task<(int Created, int Updated)> ImportAsync(IReadOnlyList<WorkerDraft> creates, IReadOnlyList<(long Id, WorkerDraft Draft)> updates,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var stored = StoredTime(now);
        var protectedRows = new ProtectedWorker[creates.Count];
        Parallel.For(0, creates.Count, i => protectedRows[i] = Protect(creates[i]));
        await using var connection = await database.OpenAsync(cancellationToken);
        // A sheet's rows land at random places of the ID-number and phone hash indexes: a page cache that holds them
        // keeps each touched page in memory until the commit instead of spilling and re-reading it (SQLite).
        if (database.Dialect.LargeWriteSettings is { } widen)
        {
            await connection.ExecuteAsync(widen);
        }
        try
        {
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            using var insert = Prepared(connection, tx, InsertSql, InsertParameters);
            insert.Parameters["@Now"].Value = stored;
            await database.Dialect.PrepareAsync(insert, cancellationToken);
            var updated = new List<long>(updates.Count);
            var done = 0;
            foreach (var w in protectedRows)
            {
                Fill(insert, w);
                await insert.ExecuteNonQueryAsync(cancellationToken);
                if (++done % 1000 == 0)
                {
                    progress?.Report(done);
                }
            }
            foreach (var (id, draft) in updates)
            {
                var parameters = Protect(draft).With(now);
                parameters.Add("Id", id);
                await connection.ExecuteAsync(UpdateSql, parameters, tx);
                updated.Add(id);
                if (++done % 1000 == 0)
                {
                    progress?.Report(done);
                }
            }
            // The search outbox in the same transaction, a few hundred rows per statement instead of one statement per row;
            // the new rows are found by their (unique) ID-number hash, so no insert has to read its id back.
            foreach (var chunk in protectedRows.Select(w => w.IdNumberHash).Chunk(OutboxChunk))
            {
                await connection.ExecuteAsync(OutboxCreatedSql, new { Entity = OutboxEntity, Operation = OutboxWriter.Upsert, CreatedAt = now, Hashes = chunk }, tx);
            }
            foreach (var chunk in updated.Chunk(OutboxChunk))
            {
                await connection.ExecuteAsync(OutboxUpdatedSql, new { Entity = OutboxEntity, Operation = OutboxWriter.Upsert, CreatedAt = now, Ids = chunk }, tx);
            }
            await tx.CommitAsync(cancellationToken);
            progress?.Report(done);
            return (creates.Count, updates.Count);
        }
        finally
        {
            if (database.Dialect.LargeWriteReset is { } reset)
            {
                await connection.ExecuteAsync(reset);
            }
        }
    }

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

    private static readonly string[] InsertParameters =
    [
        "RealName", "IdNumberHash", "IdNumberCipher", "IdNumberMasked", "Gender", "BirthDate", "PhoneHash", "PhoneCipher", "PhoneMasked",
        "CountyCode", "PrefectureCode", "Education", "TradesJson", "TradeIds", "CertificatesJson", "PriorityGroups", "Destinations",
        "ExpectedWage", "AvailableFrom", "TrainingIntentions", "Notes", "HouseholdNumber", "HouseholdType", "EmploymentStatus", "Now",
    ];

    private static DbCommand Prepared(DbConnection connection, DbTransaction tx, string sql, IEnumerable<string> names)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        foreach (var name in names)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    private static void Fill(DbCommand c, ProtectedWorker w)
    {
        var p = c.Parameters;
        p["@RealName"].Value = w.RealName;
        p["@IdNumberHash"].Value = w.IdNumberHash;
        p["@IdNumberCipher"].Value = w.IdNumberCipher;
        p["@IdNumberMasked"].Value = w.IdNumberMasked;
        p["@Gender"].Value = w.Gender;
        p["@BirthDate"].Value = w.BirthDate;
        p["@PhoneHash"].Value = w.PhoneHash;
        p["@PhoneCipher"].Value = w.PhoneCipher;
        p["@PhoneMasked"].Value = w.PhoneMasked;
        p["@CountyCode"].Value = w.CountyCode;
        p["@PrefectureCode"].Value = w.PrefectureCode;
        p["@Education"].Value = w.Education;
        p["@TradesJson"].Value = w.TradesJson;
        p["@TradeIds"].Value = w.TradeIds;
        p["@CertificatesJson"].Value = w.CertificatesJson;
        p["@PriorityGroups"].Value = w.PriorityGroups;
        p["@Destinations"].Value = w.Destinations;
        p["@ExpectedWage"].Value = w.ExpectedWage;
        p["@AvailableFrom"].Value = w.AvailableFrom;
        p["@TrainingIntentions"].Value = w.TrainingIntentions;
        p["@Notes"].Value = (object?)w.Notes ?? DBNull.Value;
        p["@HouseholdNumber"].Value = (object?)w.HouseholdNumber ?? DBNull.Value;
        p["@HouseholdType"].Value = (object?)w.HouseholdType ?? DBNull.Value;
        p["@EmploymentStatus"].Value = (object?)w.EmploymentStatus ?? DBNull.Value;
    }
}
