using System.Data.Common;
using Dapper;
using Matching.Data.Outbox;
using Matching.Data.Privacy;
using Matching.Data.Storage;
using Matching.Domain.Identity;
using Matching.Domain.Training;
using Matching.Domain.Workers;

namespace Matching.Data.Workers;

/// <summary>A stored worker as the service shows it: ID number and phone only masked.</summary>
public sealed record Worker(
    long Id,
    string RealName,
    string IdNumberMasked,
    Gender Gender,
    DateOnly BirthDate,
    string PhoneMasked,
    string CountyCode,
    string PrefectureCode,
    string Education,
    IReadOnlyList<WorkerTrade> Trades,
    IReadOnlyList<WorkerCertificate> Certificates,
    IReadOnlyList<string> PriorityGroups,
    IReadOnlyList<string> PreferredDestinations,
    int ExpectedMonthlyWage,
    DateOnly AvailableFrom,
    IReadOnlyList<string> TrainingIntentions,
    string? Notes,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Version,
    string? HouseholdNumber = null,
    string? HouseholdType = null,
    string? EmploymentStatus = null,
    string? SocialSecurityCardMasked = null,
    string VitalStatus = Domain.Workers.VitalStatus.Living,
    DateOnly? VitalStatusSince = null,
    string? VitalStatusNote = null) : IVersioned;

/// <summary>List filters; every one is optional and they combine with AND.</summary>
public sealed record WorkerFilter(
    IReadOnlyList<string>? CountyCodes = null,
    string? PrefectureCode = null,
    string? TradeId = null,
    string? PriorityGroup = null,
    string? Destination = null,
    DateOnly? AvailableBy = null,
    Gender? Gender = null,
    bool OnlyPriorityGroups = false,
    long? LinkedEmployerId = null,
    DateTimeOffset? RegisteredFrom = null,
    DateTimeOffset? RegisteredBefore = null,
    string? HouseholdType = null,
    string? EmploymentStatus = null);

/// <summary>Workers (劳动者) in SQL, with ID numbers and phones hashed and encrypted.</summary>
public sealed partial class WorkerStore(Database database, PersonalDataProtector protector, TimeProvider time)
{
    public const string OutboxEntity = "worker";

    private const string Columns = """
        id, real_name, id_number_masked, gender, birth_date, phone_masked, county_code, prefecture_code, education,
        trades_json, certificates_json, priority_groups, destinations, expected_wage, available_from,
        training_intentions, notes, created_at, updated_at, version, household_number, household_type, employment_status, social_security_masked, vital_status, vital_status_since, vital_status_note
        """;

    private const string InsertSql = """
        INSERT INTO workers (real_name, id_number_hash, id_number_cipher, id_number_masked, gender, birth_date,
            phone_hash, phone_cipher, phone_masked, county_code, prefecture_code, education, trades_json, trade_ids,
            certificates_json, priority_groups, destinations, expected_wage, available_from, training_intentions,
            notes, household_number, household_type, employment_status, created_at, updated_at, version)
        VALUES (@RealName, @IdNumberHash, @IdNumberCipher, @IdNumberMasked, @Gender, @BirthDate,
            @PhoneHash, @PhoneCipher, @PhoneMasked, @CountyCode, @PrefectureCode, @Education, @TradesJson, @TradeIds,
            @CertificatesJson, @PriorityGroups, @Destinations, @ExpectedWage, @AvailableFrom, @TrainingIntentions,
            @Notes, @HouseholdNumber, @HouseholdType, @EmploymentStatus, @Now, @Now, 1)
        """;

    private const string UpdateSql = """
        UPDATE workers SET real_name = @RealName, id_number_hash = @IdNumberHash, id_number_cipher = @IdNumberCipher,
            id_number_masked = @IdNumberMasked, gender = @Gender, birth_date = @BirthDate, phone_hash = @PhoneHash,
            phone_cipher = @PhoneCipher, phone_masked = @PhoneMasked, county_code = @CountyCode,
            prefecture_code = @PrefectureCode, education = @Education, trades_json = @TradesJson, trade_ids = @TradeIds,
            certificates_json = @CertificatesJson, priority_groups = @PriorityGroups, destinations = @Destinations,
            expected_wage = @ExpectedWage, available_from = @AvailableFrom, training_intentions = @TrainingIntentions,
            notes = @Notes, household_number = @HouseholdNumber, household_type = @HouseholdType,
            employment_status = @EmploymentStatus, updated_at = @Now, version = version + 1
        WHERE id = @Id
        """;

    private const string CountSql = "SELECT COUNT(*) FROM workers";

    // Workers an enterprise may see: enrolled (in any state) in one of its cohorts, or placed with it.
    private const string LinkedWorkersSql = """
        SELECT e.worker_id FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id WHERE c.employer_id = @LinkedEmployerId
        UNION SELECT p.worker_id FROM placements p WHERE p.employer_id = @LinkedEmployerId
        """;

    private const string EmployerLinkSql = """
        SELECT
            (SELECT COUNT(*) FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id WHERE e.worker_id = @WorkerId AND c.employer_id = @EmployerId)
          + (SELECT COUNT(*) FROM placements WHERE worker_id = @WorkerId AND employer_id = @EmployerId) AS linked,
            (SELECT COUNT(*) FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id
              WHERE e.worker_id = @WorkerId AND c.employer_id = @EmployerId AND e.status = 'accepted')
          + (SELECT COUNT(*) FROM placements WHERE worker_id = @WorkerId AND employer_id = @EmployerId) AS accepted
        """;
    private const string AcceptedOfferSql = """
        SELECT COUNT(*) FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id
        WHERE e.worker_id = @WorkerId AND c.employer_id = @EmployerId AND e.status = 'accepted'
        """;
    private const string AcceptedByEmployerSql = """
        SELECT e.worker_id FROM enrolments e JOIN cohorts c ON c.id = e.cohort_id WHERE c.employer_id = @EmployerId AND e.status = 'accepted'
        UNION SELECT worker_id FROM placements WHERE employer_id = @EmployerId
        """;
    private const string SocialSecurityHolderSql = "SELECT id FROM workers /*UPDLOCK*/ WHERE social_security_hash = @Hash";
    private const string SetSocialSecuritySql = """
        UPDATE workers SET social_security_hash = @Hash, social_security_cipher = @Cipher, social_security_masked = @Masked, updated_at = @Now, version = version + 1
        WHERE id = @Id
        """;
    private const string SetVitalStatusSql = """
        UPDATE workers SET vital_status = @Status, vital_status_since = @Since, vital_status_note = @Note, updated_at = @Now, version = version + 1 WHERE id = @Id
        """;
    private const string FindByHashSql = "SELECT id FROM workers /*UPDLOCK*/ WHERE id_number_hash = @Hash";
    private const string VersionSql = "SELECT version FROM workers /*UPDLOCK*/ WHERE id = @Id";
    private const string GetSql = $"SELECT {Columns} FROM workers WHERE id = @Id";
    private const string DeleteSql = "DELETE FROM workers WHERE id = @Id";
    private const string IdNumberCipherSql = "SELECT id_number_cipher FROM workers WHERE id = @Id";
    private const string PhoneCipherSql = "SELECT phone_cipher FROM workers WHERE id = @Id";

    public async Task<WriteResult> CreateAsync(WorkerDraft draft, CancellationToken cancellationToken = default)
    {
        var row = Protect(draft);
        var now = time.GetUtcNow();
        return await database.InTransactionAsync(async (connection, tx) =>
        {
            var existing = await connection.ExecuteScalarAsync<long?>(database.Dialect.Render(FindByHashSql), new { Hash = row.IdNumberHash }, tx);
            if (existing is { } existingId)
            {
                return Duplicate(existingId);
            }
            var id = await connection.ExecuteScalarAsync<long>(InsertSql + database.Dialect.SelectInsertedId, row.With(now), tx);
            await OutboxWriter.EnqueueAsync(connection, tx, OutboxEntity, id, OutboxWriter.Upsert, now);
            return WriteResult.Ok(id, 1);
        }, cancellationToken);
    }

    /// <summary>Replaces a worker. <paramref name="expectedVersion"/> (from If-Match) guards against lost updates.</summary>
    public async Task<WriteResult> UpdateAsync(long id, WorkerDraft draft, int? expectedVersion, CancellationToken cancellationToken = default)
    {
        var row = Protect(draft);
        var now = time.GetUtcNow();
        return await database.InTransactionAsync(async (connection, tx) =>
        {
            var (version, refusal) = await RowVersion.CheckAsync(database.Dialect, connection, tx, VersionSql, id, expectedVersion);
            if (refusal is not null)
            {
                return refusal.Value;
            }
            var holder = await connection.ExecuteScalarAsync<long?>(database.Dialect.Render(FindByHashSql), new { Hash = row.IdNumberHash }, tx);
            if (holder is { } other && other != id)
            {
                return Duplicate(other);
            }
            // Certificates recorded for the worker stay in the worker's skills whatever the re-registration lists.
            if (await Training.TrainingRecordStore.RecordedAsync(connection, tx, id) is { Count: > 0 } recorded)
            {
                var (trades, certificates) = TrainingRules.Apply(draft.Trades, draft.Certificates, recorded);
                row = Protect(draft with { Trades = trades, Certificates = certificates });
            }
            var parameters = row.With(now);
            parameters.Add("Id", id);
            await connection.ExecuteAsync(UpdateSql, parameters, tx);
            await OutboxWriter.EnqueueAsync(connection, tx, OutboxEntity, id, OutboxWriter.Upsert, now);
            return WriteResult.Ok(id, version + 1);
        }, cancellationToken);
    }

    public async Task<WriteResult> DeleteAsync(long id, int? expectedVersion, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        return await database.InTransactionAsync(async (connection, tx) =>
        {
            var (version, refusal) = await RowVersion.CheckAsync(database.Dialect, connection, tx, VersionSql, id, expectedVersion);
            if (refusal is not null)
            {
                return refusal.Value;
            }
            if (await References.RefusalAsync(connection, tx, database.Dialect, "workers", id, "劳动者") is { } referenced)
            {
                return referenced;
            }
            await connection.ExecuteAsync(DeleteSql, new { Id = id }, tx);
            await OutboxWriter.EnqueueAsync(connection, tx, OutboxEntity, id, OutboxWriter.Delete, now);
            return WriteResult.Ok(id, version);
        }, cancellationToken);
    }

    /// <summary>Records the social security card number (社会保障卡号): hashed for look-up, encrypted, masked; one card per worker.</summary>
    public async Task<WriteResult> SetSocialSecurityCardAsync(long id, string cardNumber, int? expectedVersion, CancellationToken cancellationToken = default)
    {
        var hash = protector.Hash("ssc", cardNumber);
        var cipher = protector.Encrypt(cardNumber);
        var now = time.GetUtcNow();
        return await database.InTransactionAsync(async (connection, tx) =>
        {
            var (version, refusal) = await RowVersion.CheckAsync(database.Dialect, connection, tx, VersionSql, id, expectedVersion);
            if (refusal is not null)
            {
                return refusal.Value;
            }
            if (await connection.ExecuteScalarAsync<long?>(database.Dialect.Render(SocialSecurityHolderSql), new { Hash = hash }, tx) is { } holder && holder != id)
            {
                return WriteResult.Conflict($"该社会保障卡号已登记给劳动者 {holder}", holder);
            }
            await connection.ExecuteAsync(SetSocialSecuritySql, new { Id = id, Hash = hash, Cipher = cipher, Masked = WorkerStatusRules.MaskCardNumber(cardNumber), Now = now }, tx);
            await OutboxWriter.EnqueueAsync(connection, tx, OutboxEntity, id, OutboxWriter.Upsert, now);
            return WriteResult.Ok(id, version + 1);
        }, cancellationToken);
    }

    /// <summary>Records a death or emigration (or its correction); integrity checks then refuse seats and subsidies for the ID number.</summary>
    public async Task<WriteResult> SetVitalStatusAsync(long id, VitalStatusDraft draft, int? expectedVersion, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        return await database.InTransactionAsync(async (connection, tx) =>
        {
            var (version, refusal) = await RowVersion.CheckAsync(database.Dialect, connection, tx, VersionSql, id, expectedVersion);
            if (refusal is not null)
            {
                return refusal.Value;
            }
            await connection.ExecuteAsync(SetVitalStatusSql, new { Id = id, draft.Status, draft.Since, draft.Note, Now = now }, tx);
            await OutboxWriter.EnqueueAsync(connection, tx, OutboxEntity, id, OutboxWriter.Upsert, now);
            return WriteResult.Ok(id, version + 1);
        }, cancellationToken);
    }

    /// <summary>The id of the worker holding this social security card, if any (look-up by keyed hash).</summary>
    public async Task<long?> FindBySocialSecurityCardAsync(string cardNumber, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(database.Dialect.Render(SocialSecurityHolderSql), new { Hash = protector.Hash("ssc", cardNumber) });
    }

    public async Task<Worker?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<WorkerRow>(GetSql, new { Id = id });
        return row?.ToWorker();
    }

    /// <summary>
    /// Whether the worker is linked to the employer (enrolled in one of its cohorts or placed with it), and whether
    /// the worker has accepted its offer (an accepted enrolment or a placement).
    /// </summary>
    public async Task<(bool Linked, bool Accepted)> EmployerLinkAsync(long workerId, long employerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var (linked, accepted) = await connection.QuerySingleAsync<(long Linked, long Accepted)>(EmployerLinkSql, new { WorkerId = workerId, EmployerId = employerId });
        return (linked > 0, accepted > 0);
    }

    /// <summary>Whether the worker accepted a seat in one of the employer's cohorts (what lets an enterprise record a placement).</summary>
    public async Task<bool> AcceptedOfferAsync(long workerId, long employerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(AcceptedOfferSql, new { WorkerId = workerId, EmployerId = employerId }) > 0;
    }

    /// <summary>
    /// Every worker who accepted an offer of the employer (an accepted seat in one of its cohorts, or a placement with it):
    /// those whose names it sees in clear. On the caller's connection (an export reads its rows on the same one).
    /// </summary>
    public static async Task<HashSet<long>> AcceptedByEmployerAsync(System.Data.Common.DbConnection connection, long employerId) =>
        (await connection.QueryAsync<long>(AcceptedByEmployerSql, new { EmployerId = employerId })).ToHashSet();

    /// <summary>The id of the worker registered with this ID number, if any (look-up by keyed hash).</summary>
    public async Task<long?> FindByIdNumberAsync(string idNumber, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(database.Dialect.Render(FindByHashSql), new { Hash = protector.Hash("id", ResidentIdNumber.Normalize(idNumber)) });
    }

    /// <summary>The clear ID number, decrypted. Callers audit this.</summary>
    public Task<string?> RevealIdNumberAsync(long id, CancellationToken cancellationToken = default) => RevealAsync(IdNumberCipherSql, id, cancellationToken);

    /// <summary>The clear phone number, decrypted. Callers audit this.</summary>
    public Task<string?> RevealPhoneAsync(long id, CancellationToken cancellationToken = default) => RevealAsync(PhoneCipherSql, id, cancellationToken);

    private async Task<string?> RevealAsync(string sql, long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var cipher = await connection.ExecuteScalarAsync<byte[]?>(sql, new { Id = id });
        return cipher is null ? null : protector.Decrypt(cipher);
    }

    public async Task<PagedList<Worker>> ListAsync(WorkerFilter filter, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var (rows, total) = await Query(filter).RunAsync<WorkerRow>(database, "workers", $"SELECT {Columns} FROM workers", page, pageSize, cancellationToken);
        return new PagedList<Worker>(rows.Select(r => r.ToWorker()).ToList(), page, pageSize, total);
    }

    /// <summary>Every worker the list with this filter would show, in id order, read one row at a time (exports).</summary>
    public IEnumerable<Worker> Stream(System.Data.Common.DbConnection connection, WorkerFilter filter) =>
        Query(filter).Stream<WorkerRow>(connection, $"SELECT {Columns} FROM workers").Select(r => r.ToWorker());

    private static ListQuery Query(WorkerFilter filter)
    {
        return new ListQuery()
            .Add("county_code IN @CountyCodes", "CountyCodes", filter.CountyCodes is { Count: > 0 } c ? c : null)
            .Add("prefecture_code = @PrefectureCode", "PrefectureCode", filter.PrefectureCode)
            .Contains("trade_ids", "TradePattern", filter.TradeId)
            .Contains("priority_groups", "GroupPattern", filter.PriorityGroup)
            .Contains("destinations", "DestinationPattern", filter.Destination)
            .Add("available_from <= @AvailableBy", "AvailableBy", filter.AvailableBy)
            .Add("gender = @Gender", "Gender", filter.Gender is { } g ? (int?)g : null)
            .When(filter.OnlyPriorityGroups, "priority_groups <> ''")
            .Add($"id IN ({LinkedWorkersSql})", "LinkedEmployerId", filter.LinkedEmployerId)
            .Add("created_at >= @RegisteredFrom", "RegisteredFrom", filter.RegisteredFrom)
            .Add("created_at < @RegisteredBefore", "RegisteredBefore", filter.RegisteredBefore)
            .Add("household_type = @HouseholdType", "HouseholdType", filter.HouseholdType)
            .Add("employment_status = @EmploymentStatus", "EmploymentStatus", filter.EmploymentStatus);
    }

    private static WriteResult Duplicate(long existingId) =>
        WriteResult.Conflict($"该身份证号码已登记为劳动者 {existingId}，请勿重复登记", existingId);

    /// <summary>
    /// Stores many workers fast: one prepared command, one transaction per batch, protection (hash + encryption)
    /// done on another thread while the previous batch is written. Used by demo seeding and the ingest benchmark.
    /// </summary>
    public async Task<long> BulkInsertAsync(IEnumerable<WorkerDraft> drafts, int batchSize = 8_192, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        // Into an empty table, loading first and building the indexes once afterwards is several times faster than
        // keeping random-keyed (hash) indexes up to date row by row; uniqueness is then checked in memory.
        var deferredIndexes = await connection.ExecuteScalarAsync<long>(CountSql) == 0
            ? await database.Dialect.DropSecondaryIndexesAsync(connection, "workers")
            : [];
        var seenHashes = deferredIndexes.Count > 0 ? new HashSet<UInt128>() : null;
        await database.Dialect.BeginBulkLoadAsync(connection);

        long written = 0;
        try
        {
            using var source = drafts.GetEnumerator();
            var pending = Task.Run(() => NextBatch(), cancellationToken);

            List<ProtectedWorker> NextBatch()
            {
                var drafts = new List<WorkerDraft>(batchSize);
                while (drafts.Count < batchSize && source.MoveNext())
                {
                    drafts.Add(source.Current);
                }
                var batch = new ProtectedWorker[drafts.Count];
                for (var i = 0; i < drafts.Count; i++)
                {
                    batch[i] = Protect(drafts[i]);
                }
                if (seenHashes is not null)
                {
                    for (var i = 0; i < batch.Length; i++)
                    {
                        if (!seenHashes.Add(System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(batch[i].IdNumberHash)))
                        {
                            throw new InvalidOperationException($"导入数据中第 {written + i + 1} 条的身份证号码与前面重复");
                        }
                    }
                }
                return [.. batch];
            }

            while (true)
            {
                var batch = await pending;
                if (batch.Count == 0)
                {
                    break;
                }
                pending = Task.Run(() => NextBatch(), cancellationToken);
                await using var tx = await connection.BeginTransactionAsync(cancellationToken);
                await InsertManyAsync(connection, tx, batch, now, cancellationToken);
                await tx.CommitAsync(cancellationToken);
                written += batch.Count;
                progress?.Report(written);
            }
        }
        finally
        {
            // Put the indexes back even when the load stops half-way (a repeated ID number, cancellation): a table
            // left without its unique index would afterwards accept the same ID number twice.
            if (deferredIndexes.Count > 0)
            {
                await database.Dialect.CreateIndexesAsync(connection, deferredIndexes);
            }
            await database.Dialect.EndBulkLoadAsync(connection);
        }
        return written;
    }

    /// <summary>Inserts one worker in its own transaction, as a one-at-a-time client would (the ingest baseline).</summary>
    public async Task InsertOneAsync(WorkerDraft draft, CancellationToken cancellationToken = default)
    {
        var row = Protect(draft);
        var now = time.GetUtcNow();
        await database.InTransactionAsync(async (connection, tx) =>
            await connection.ExecuteAsync(InsertSql, row.With(now), tx), cancellationToken);
    }

    private static string StoredTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private ProtectedWorker Protect(WorkerDraft d) => new(
        d.RealName,
        protector.Hash("id", d.IdNumber),
        protector.Encrypt(d.IdNumber),
        Masking.IdNumber(d.IdNumber),
        (int)d.Gender,
        d.BirthDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        protector.Hash("phone", d.Phone),
        protector.Encrypt(d.Phone),
        Masking.Phone(d.Phone),
        d.CountyCode,
        d.PrefectureCode,
        d.Education,
        StoredJson.Write(d.Trades),
        Codes.Join(d.Trades.Select(t => t.TradeId)),
        StoredJson.Write(d.Certificates),
        Codes.Join(d.PriorityGroups),
        Codes.Join(d.PreferredDestinations),
        d.ExpectedMonthlyWage,
        d.AvailableFrom.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        Codes.Join(d.TrainingIntentions),
        d.Notes,
        d.HouseholdNumber,
        d.HouseholdType,
        d.EmploymentStatus);

    private sealed record ProtectedWorker(
        string RealName, byte[] IdNumberHash, byte[] IdNumberCipher, string IdNumberMasked, int Gender, string BirthDate,
        byte[] PhoneHash, byte[] PhoneCipher, string PhoneMasked, string CountyCode, string PrefectureCode, string Education,
        string TradesJson, string TradeIds, string CertificatesJson, string PriorityGroups, string Destinations,
        int ExpectedWage, string AvailableFrom, string TrainingIntentions, string? Notes, string? HouseholdNumber,
        string? HouseholdType, string? EmploymentStatus)
    {
        public DynamicParameters With(DateTimeOffset now)
        {
            var parameters = new DynamicParameters(this);
            parameters.Add("Now", now);
            return parameters;
        }
    }

    private sealed class WorkerRow
    {
        public long Id { get; init; }
        public string RealName { get; init; } = "";
        public string IdNumberMasked { get; init; } = "";
        public long Gender { get; init; }
        public DateOnly BirthDate { get; init; }
        public string PhoneMasked { get; init; } = "";
        public string CountyCode { get; init; } = "";
        public string PrefectureCode { get; init; } = "";
        public string Education { get; init; } = "";
        public string TradesJson { get; init; } = "[]";
        public string CertificatesJson { get; init; } = "[]";
        public string PriorityGroups { get; init; } = "";
        public string Destinations { get; init; } = "";
        public long ExpectedWage { get; init; }
        public DateOnly AvailableFrom { get; init; }
        public string TrainingIntentions { get; init; } = "";
        public string? Notes { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public long Version { get; init; }
        public string? HouseholdNumber { get; init; }
        public string? HouseholdType { get; init; }
        public string? EmploymentStatus { get; init; }
        public string? SocialSecurityMasked { get; init; }
        public string VitalStatus { get; init; } = Domain.Workers.VitalStatus.Living;
        public DateOnly? VitalStatusSince { get; init; }
        public string? VitalStatusNote { get; init; }

        public Worker ToWorker() => new(
            Id, RealName, IdNumberMasked, (Gender)Gender, BirthDate, PhoneMasked, CountyCode, PrefectureCode, Education,
            StoredJson.Read<List<WorkerTrade>>(TradesJson), StoredJson.Read<List<WorkerCertificate>>(CertificatesJson),
            Codes.Split(PriorityGroups), Codes.Split(Destinations), (int)ExpectedWage, AvailableFrom,
            Codes.Split(TrainingIntentions), Notes, CreatedAt, UpdatedAt, (int)Version, HouseholdNumber, HouseholdType, EmploymentStatus,
                SocialSecurityMasked, VitalStatus, VitalStatusSince, VitalStatusNote);
    }

    /// <summary>The columns of a new worker (as in <see cref="InsertSql"/>), in the order <see cref="ColumnValue"/> gives them.</summary>
    private static readonly string[] InsertColumns =
    [
        "real_name", "id_number_hash", "id_number_cipher", "id_number_masked", "gender", "birth_date", "phone_hash", "phone_cipher",
        "phone_masked", "county_code", "prefecture_code", "education", "trades_json", "trade_ids", "certificates_json", "priority_groups",
        "destinations", "expected_wage", "available_from", "training_intentions", "notes", "household_number", "household_type",
        "employment_status", "created_at", "updated_at", "version",
    ];

    /// <summary>A new worker's value of column <paramref name="column"/> of <see cref="InsertColumns"/>.</summary>
    private static object? ColumnValue(ProtectedWorker w, string now, int column) => column switch
    {
        0 => w.RealName,
        1 => w.IdNumberHash,
        2 => w.IdNumberCipher,
        3 => w.IdNumberMasked,
        4 => w.Gender,
        5 => w.BirthDate,
        6 => w.PhoneHash,
        7 => w.PhoneCipher,
        8 => w.PhoneMasked,
        9 => w.CountyCode,
        10 => w.PrefectureCode,
        11 => w.Education,
        12 => w.TradesJson,
        13 => w.TradeIds,
        14 => w.CertificatesJson,
        15 => w.PriorityGroups,
        16 => w.Destinations,
        17 => w.ExpectedWage,
        18 => w.AvailableFrom,
        19 => w.TrainingIntentions,
        20 => w.Notes,
        21 => w.HouseholdNumber,
        22 => w.HouseholdType,
        23 => w.EmploymentStatus,
        24 or 25 => now,
        26 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(column)),
    };

    /// <summary>Inserts many new workers in order inside the caller's transaction (bulk loads and imports), as the engine does it fastest.</summary>
    private Task InsertManyAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<ProtectedWorker> rows, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var stored = StoredTime(now);
        return database.Dialect.InsertRowsAsync(connection, tx, "workers", InsertColumns, rows, (w, column) => ColumnValue(w, stored, column), cancellationToken);
    }
}
