using System.Data.Common;
using Dapper;
using Matching.Data.Storage;

namespace Matching.Data.Notifications;

/// <summary>A message in a user's in-app inbox (站内消息).</summary>
public sealed record InboxMessage(long Id, string Kind, string Title, string Body, string? Link, string? CountyCode, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt)
{
    public bool Read => ReadAt is not null;
}

/// <summary>One page of a user's inbox with the number still unread.</summary>
public sealed record InboxPage(IReadOnlyList<InboxMessage> Items, int Page, int PageSize, long Total, long Unread);

/// <summary>
/// The in-app inbox: rows are written by <see cref="InsertAsync"/> in the transaction of whatever caused them (a
/// reminder, an alert), once per user and subject; a user reads only their own rows.
/// </summary>
public sealed class InboxStore(Database database, TimeProvider time)
{
    private const string InsertSql = """
        INSERT INTO inbox_messages (user_id, kind, subject_key, title, body, link, county_code, created_at, read_at)
        SELECT @UserId, @Kind, @SubjectKey, @Title, @Body, @Link, @CountyCode, @Now, NULL
        WHERE NOT EXISTS (SELECT 1 FROM inbox_messages /*UPDLOCK*/ WHERE user_id = @UserId AND kind = @Kind AND subject_key = @SubjectKey)
        """;
    private const string Columns = "id, kind, title, body, link, county_code, created_at, read_at";
    private const string UnreadSql = "SELECT COUNT(*) FROM inbox_messages WHERE user_id = @UserId AND read_at IS NULL";
    private const string MarkReadSql = "UPDATE inbox_messages SET read_at = COALESCE(read_at, @Now) WHERE id = @Id AND user_id = @UserId";
    private const string MarkAllReadSql = "UPDATE inbox_messages SET read_at = @Now WHERE user_id = @UserId AND read_at IS NULL";

    /// <summary>Adds the message to the user's inbox unless it holds one of the same kind and subject; true when added.</summary>
    public static async Task<bool> InsertAsync(SqlDialect dialect, DbConnection connection, DbTransaction transaction, long userId, string kind, string subjectKey,
        string title, string body, string? link, string? countyCode, DateTimeOffset now) =>
        await connection.ExecuteAsync(dialect.Render(InsertSql), new { UserId = userId, Kind = kind, SubjectKey = subjectKey, Title = title, Body = body, Link = link, CountyCode = countyCode, Now = now }, transaction) == 1;

    public async Task<InboxPage> ListAsync(long userId, bool? unread, string? kind, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var query = new ListQuery()
            .Add("user_id = @UserId", "UserId", (long?)userId)
            .When(unread == true, "read_at IS NULL")
            .When(unread == false, "read_at IS NOT NULL")
            .Add("kind = @Kind", "Kind", kind);
        // Newest first: what arrived last is what a user looks for.
        query.Parameters.Add("Skip", (page - 1) * pageSize);
        query.Parameters.Add("Take", pageSize);
        await using var connection = await database.OpenAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM inbox_messages{query.Where}", query.Parameters);
        var rows = await connection.QueryAsync<Row>($"SELECT {Columns} FROM inbox_messages{query.Where} ORDER BY id DESC{database.Dialect.Page}", query.Parameters);
        var unreadCount = await connection.ExecuteScalarAsync<long>(UnreadSql, new { UserId = userId });
        return new InboxPage(rows.Select(r => r.ToMessage()).ToList(), page, pageSize, total, unreadCount);
    }

    /// <summary>Marks one of the user's messages read; false when the user has no such message.</summary>
    public async Task<bool> MarkReadAsync(long userId, long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(MarkReadSql, new { Id = id, UserId = userId, Now = time.GetUtcNow() }) == 1;
    }

    public async Task<int> MarkAllReadAsync(long userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(MarkAllReadSql, new { UserId = userId, Now = time.GetUtcNow() });
    }

    private sealed class Row
    {
        public long Id { get; init; }
        public string Kind { get; init; } = "";
        public string Title { get; init; } = "";
        public string Body { get; init; } = "";
        public string? Link { get; init; }
        public string? CountyCode { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? ReadAt { get; init; }

        public InboxMessage ToMessage() => new(Id, Kind, Title, Body, Link, CountyCode, CreatedAt, ReadAt);
    }
}

/// <summary>A member of staff a message goes to.</summary>
public sealed record StaffRecipient(long UserId, string Name, string Role);

/// <summary>Who is told about a county: its county office users and, when asked, rural revitalisation staff whose region holds it.</summary>
public static class StaffDirectory
{
    private const string RecipientsSql = """
        SELECT id AS user_id, name, role FROM users
        WHERE active = 1 AND (
            (role = 'county_office' AND scopes LIKE @CountyPattern ESCAPE '\')
            OR (@Rural = 1 AND role = 'rural_revitalisation'
                AND (scopes = '' OR scopes = '|520000|' OR scopes LIKE @CountyPattern ESCAPE '\' OR scopes LIKE @PrefecturePattern ESCAPE '\')))
        ORDER BY id
        """;

    public static async Task<IReadOnlyList<StaffRecipient>> ForCountyAsync(DbConnection connection, DbTransaction? transaction, string countyCode,
        string prefectureCode, bool includeRuralRevitalisation) =>
        (await connection.QueryAsync<(long UserId, string Name, string Role)>(RecipientsSql, new
        {
            CountyPattern = Codes.ContainsPattern(countyCode),
            PrefecturePattern = Codes.ContainsPattern(prefectureCode),
            Rural = includeRuralRevitalisation ? 1 : 0,
        }, transaction)).Select(r => new StaffRecipient(r.UserId, r.Name, r.Role)).ToList();
}
