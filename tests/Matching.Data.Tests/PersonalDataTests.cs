using System.Security.Cryptography;
using System.Text;
using Dapper;
using Matching.Data.Storage;
using Matching.Domain.Identity;

namespace Matching.Data.Tests;

/// <summary>ID numbers and phones are kept encrypted with a keyed hash for look-up; only masked values are readable.</summary>
public class PersonalDataTests(DataFixture data) : IClassFixture<DataFixture>
{
    /// <summary>Every byte SQLite has written for the database: the main file, its write-ahead log and shared memory.</summary>
    private byte[] DatabaseBytes()
    {
        // While this class's connections are open the write-ahead log holds the latest pages.
        var files = Directory.GetFiles(data.Folder.Path, "matching.db*");
        Assert.Contains(files, f => f.EndsWith("matching.db-wal", StringComparison.Ordinal));
        using var all = new MemoryStream();
        foreach (var file in files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.CopyTo(all);
        }
        return all.ToArray();
    }

    private static bool Contains(byte[] haystack, string text) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    [Fact]
    public async Task Id_number_and_phone_never_reach_the_database_files_in_clear()
    {
        var input = DataFixture.WorkerInput() with { RealName = "龙秀英" };
        var draft = data.Worker(input);
        var id = DataFixture.Created(await data.Workers.CreateAsync(draft));
        var bytes = DatabaseBytes();

        // The scan does find stored text: the name (not protected) and the masked values are there.
        Assert.True(Contains(bytes, "龙秀英"));
        Assert.True(Contains(bytes, draft.IdNumber[..4] + "**********" + draft.IdNumber[^4..]));
        Assert.True(Contains(bytes, draft.Phone[..3] + "****" + draft.Phone[^4..]));
        Assert.False(Contains(bytes, draft.IdNumber), "ID number stored in clear");
        Assert.False(Contains(bytes, draft.Phone), "phone stored in clear");
        Assert.False(Contains(bytes, draft.IdNumber[6..14] + draft.IdNumber[14..17]), "birth date and sequence stored in clear");

        var worker = await data.Workers.GetAsync(id);
        Assert.Equal(draft.IdNumber[..4] + "**********" + draft.IdNumber[^4..], worker!.IdNumberMasked);
        Assert.Equal(draft.Phone[..3] + "****" + draft.Phone[^4..], worker.PhoneMasked);
    }

    [Fact]
    public async Task Updated_id_number_and_phone_are_not_stored_in_clear_either()
    {
        var id = DataFixture.Created(await data.Workers.CreateAsync(data.Worker()));
        var replacement = data.Worker(DataFixture.WorkerInput("520525"));
        Assert.Equal(WriteStatus.Ok, (await data.Workers.UpdateAsync(id, replacement, null)).Status);
        var bytes = DatabaseBytes();
        Assert.False(Contains(bytes, replacement.IdNumber));
        Assert.False(Contains(bytes, replacement.Phone));
        Assert.Equal(replacement.IdNumber, await data.Workers.RevealIdNumberAsync(id));
    }

    [Fact]
    public async Task Reveal_returns_the_clear_values_of_that_worker_only()
    {
        var first = data.Worker();
        var second = data.Worker();
        var firstId = DataFixture.Created(await data.Workers.CreateAsync(first));
        var secondId = DataFixture.Created(await data.Workers.CreateAsync(second));
        Assert.Equal(first.IdNumber, await data.Workers.RevealIdNumberAsync(firstId));
        Assert.Equal(first.Phone, await data.Workers.RevealPhoneAsync(firstId));
        Assert.Equal(second.IdNumber, await data.Workers.RevealIdNumberAsync(secondId));
        Assert.Null(await data.Workers.RevealIdNumberAsync(999_999));
    }

    [Fact]
    public async Task Find_by_id_number_uses_the_keyed_hash_and_accepts_a_lowercase_x()
    {
        // Sequence and birth date chosen so that the check character is X.
        var idNumber = Enumerable.Range(0, 100)
            .Select(n => ResidentIdNumber.Compose("520102", new DateOnly(1988, 5, 1).AddDays(n), 700 + n))
            .First(i => i.EndsWith('X'));
        var draft = data.Worker(DataFixture.WorkerInput() with { IdNumber = idNumber });
        var id = DataFixture.Created(await data.Workers.CreateAsync(draft));
        Assert.Equal(id, await data.Workers.FindByIdNumberAsync(idNumber));
        Assert.Equal(id, await data.Workers.FindByIdNumberAsync(idNumber.ToLowerInvariant()));
        Assert.Null(await data.Workers.FindByIdNumberAsync(ResidentIdNumber.Compose("520102", new DateOnly(1970, 1, 1), 1)));

        await using var connection = await data.Database.OpenAsync();
        var hash = await connection.ExecuteScalarAsync<byte[]>("SELECT id_number_hash FROM workers WHERE id = @Id", new { Id = id });
        // Keyed: not a plain hash anyone could recompute by trying every birth date and sequence.
        Assert.NotEqual(SHA256.HashData(Encoding.UTF8.GetBytes(idNumber)), hash);
        Assert.NotEqual(SHA256.HashData(Encoding.UTF8.GetBytes("id:" + idNumber)), hash);
    }

    [Fact]
    public async Task Same_phone_hashes_alike_but_encrypts_differently()
    {
        var phone = "13600001111";
        var a = DataFixture.Created(await data.Workers.CreateAsync(data.Worker(DataFixture.WorkerInput() with { Phone = phone })));
        var b = DataFixture.Created(await data.Workers.CreateAsync(data.Worker(DataFixture.WorkerInput() with { Phone = phone })));
        await using var connection = await data.Database.OpenAsync();
        var rows = (await connection.QueryAsync<(byte[] Hash, byte[] Cipher)>(
            "SELECT phone_hash, phone_cipher FROM workers WHERE id IN (@A, @B)", new { A = a, B = b })).ToList();
        Assert.Equal(rows[0].Hash, rows[1].Hash);
        Assert.NotEqual(rows[0].Cipher, rows[1].Cipher);
        Assert.Equal(phone, await data.Workers.RevealPhoneAsync(b));
    }

    [Fact]
    public async Task Tampered_ciphertext_is_detected_instead_of_revealing_wrong_data()
    {
        var id = DataFixture.Created(await data.Workers.CreateAsync(data.Worker()));
        await using (var connection = await data.Database.OpenAsync())
        {
            var cipher = await connection.ExecuteScalarAsync<byte[]>("SELECT id_number_cipher FROM workers WHERE id = @Id", new { Id = id });
            cipher![^1] ^= 0x01;
            await connection.ExecuteAsync("UPDATE workers SET id_number_cipher = @Cipher WHERE id = @Id", new { Cipher = cipher, Id = id });
        }
        await Assert.ThrowsAnyAsync<CryptographicException>(() => data.Workers.RevealIdNumberAsync(id));
    }
}
