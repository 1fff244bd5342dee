using System.Net;
using System.Text.Json.Nodes;
using Matching.Api.Tests.Infrastructure;

namespace Matching.Api.Tests;

/// <summary>
/// Workers (劳动者) as their county office (大方县人社局) registers and keeps them: masking of personal data, look-up,
/// duplicates, versions, deletion.
/// </summary>
public sealed class WorkerApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private readonly HttpClient _client = api.AsCountyOffice(Codes.DafangCounty);

    [Fact]
    public async Task Registering_a_worker_answers_201_with_location_etag_and_the_stored_worker()
    {
        // Born the day after "today" in 1990: 35, not yet 36.
        var idNumber = IdNumbers.Make(Codes.DafangCounty, new DateOnly(1990, 6, 16), 101);
        var body = Bodies.Worker(idNumber);

        using var response = await _client.PostAsync("/api/workers", body);
        var created = await response.ReadObjectAsync(HttpStatusCode.Created);

        var id = Http.IdOf(created);
        Assert.Equal($"/api/workers/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", Http.ETagOf(response));
        Assert.Equal(1, created["version"]!.GetValue<int>());
        Assert.Equal("王小勇", created["realName"]!.GetValue<string>());
        Assert.Equal("male", created["gender"]!.GetValue<string>());
        // The age, never the birth date: beside the county and the masked ID it would give back the whole number.
        Assert.False(created.ContainsKey("birthDate"));
        Assert.Equal(35, created["age"]!.GetValue<int>());
        Assert.Equal("大方县", created["countyName"]!.GetValue<string>());
        Assert.Equal(Codes.BijiePrefecture, created["prefectureCode"]!.GetValue<string>());
        Assert.Equal("毕节市", created["prefectureName"]!.GetValue<string>());
        var trade = Assert.Single(created["trades"]!.AsArray())!;
        Assert.Equal(Codes.Welder, trade["tradeId"]!.GetValue<string>());
        Assert.Equal("焊工", trade["tradeName"]!.GetValue<string>());
        Assert.Equal(3, trade["level"]!.GetValue<int>());
        Assert.Equal("中级工", trade["levelName"]!.GetValue<string>());
        Assert.Equal([Codes.Shenzhen, Codes.Zhejiang], created["preferredDestinations"]!.AsArray().Select(d => d!.GetValue<string>()));
        Assert.Equal(6500, created["expectedMonthlyWage"]!.GetValue<int>());
        Assert.Equal("愿意去广东，\n希望包吃住", created["notes"]!.GetValue<string>());

        using var get = await _client.GetAsync(response.Headers.Location);
        var read = await get.ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("\"1\"", Http.ETagOf(get));
        Assert.True(JsonNode.DeepEquals(created, read), $"created {created.ToJsonString()} but read {read.ToJsonString()}");
    }

    [Fact]
    public async Task Id_number_and_phone_are_shown_masked_and_never_in_clear()
    {
        var idNumber = IdNumbers.EndingWith("522422", 123, 'X'); // 大方县's code before 毕节 became a city
        var body = Bodies.Worker(idNumber);
        body["phone"] = "+86 139-8526-1234";

        var created = await Seed.WorkerAsync(api, body);

        Assert.Equal("5224**********123X", created["idNumberMasked"]!.GetValue<string>());
        Assert.Equal("139****1234", created["phoneMasked"]!.GetValue<string>());
        Assert.Null(created["idNumber"]);
        Assert.Null(created["phone"]);
        var id = Http.IdOf(created);
        foreach (var path in new[] { $"/api/workers/{id}", "/api/workers?pageSize=200", $"/api/workers?countyCode={Codes.DafangCounty}" })
        {
            var text = await _client.GetStringAsync(path);
            Assert.DoesNotContain(idNumber, text, StringComparison.Ordinal);
            Assert.DoesNotContain(idNumber[6..14], text, StringComparison.Ordinal); // the birth-date digits as they appear in the number
            Assert.DoesNotContain("13985261234", text, StringComparison.Ordinal);
            Assert.DoesNotContain("8526", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Look_up_by_id_number_in_the_body_finds_the_worker()
    {
        var idNumber = IdNumbers.EndingWith(Codes.WeiningCounty, 222, 'X');
        var weining = api.AsCountyOffice(Codes.WeiningCounty);
        var id = Http.IdOf(await Seed.WorkerAsync(api, Bodies.Worker(idNumber, Codes.WeiningCounty)));

        using var found = await weining.PostAsync("/api/workers/lookup", new JsonObject { ["idNumber"] = idNumber });
        Assert.Equal(id, (await found.ReadObjectAsync(HttpStatusCode.OK))["id"]!.GetValue<long>());

        // A clerk typing a lower-case x and stray spaces finds the same worker.
        using var lowerCase = await weining.PostAsync("/api/workers/lookup", new JsonObject { ["idNumber"] = " " + idNumber.ToLowerInvariant() + " " });
        Assert.Equal(id, (await lowerCase.ReadObjectAsync(HttpStatusCode.OK))["id"]!.GetValue<long>());

        using var unknown = await weining.PostAsync("/api/workers/lookup", new JsonObject { ["idNumber"] = IdNumbers.Fresh() });
        await unknown.ReadProblemAsync(HttpStatusCode.NotFound);

        using var invalid = await weining.PostAsync("/api/workers/lookup", new JsonObject { ["idNumber"] = IdNumbers.WithWrongCheck(idNumber) });
        var problemText = (await invalid.ReadFieldErrorAsync("idNumber")).Single();
        Assert.DoesNotContain(idNumber[..17], problemText, StringComparison.Ordinal);

        // The number is never put in a URL: there is no GET form of the look-up.
        using var inUrl = await weining.GetAsync($"/api/workers/lookup?idNumber={idNumber}");
        Assert.NotEqual(HttpStatusCode.OK, inUrl.StatusCode);
    }

    [Fact]
    public async Task Registering_the_same_id_number_again_is_a_conflict_naming_the_existing_worker()
    {
        var idNumber = IdNumbers.EndingWith(Codes.DafangCounty, 456, 'X');
        var firstId = Http.IdOf(await Seed.WorkerAsync(api, Bodies.Worker(idNumber)));
        var total = await _client.TotalAsync("/api/workers");

        var again = Bodies.Worker(idNumber.ToLowerInvariant());
        again["realName"] = "王晓勇";
        again["phone"] = "13700001111";
        using var response = await _client.PostAsync("/api/workers", again);

        var problem = await response.ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(firstId, problem["existingId"]!.GetValue<long>());
        Assert.DoesNotContain(idNumber[..17], problem.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(total, await _client.TotalAsync("/api/workers"));
    }

    [Fact]
    public async Task Changing_a_worker_to_an_id_number_another_worker_holds_is_a_conflict()
    {
        var takenId = IdNumbers.Fresh();
        var holder = Http.IdOf(await Seed.WorkerAsync(api, Bodies.Worker(takenId)));
        var other = await Seed.WorkerAsync(api);
        var otherId = Http.IdOf(other);

        using var response = await _client.PutAsync($"/api/workers/{otherId}", Bodies.Worker(takenId), "\"1\"");

        var problem = await response.ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(holder, problem["existingId"]!.GetValue<long>());
        var unchanged = await _client.GetObjectAsync($"/api/workers/{otherId}");
        Assert.True(JsonNode.DeepEquals(other, unchanged));
    }

    [Fact]
    public async Task Updating_with_the_current_etag_replaces_the_worker_and_a_stale_etag_is_refused()
    {
        var idNumber = IdNumbers.Fresh();
        var created = await Seed.WorkerAsync(api, Bodies.Worker(idNumber));
        var path = $"/api/workers/{Http.IdOf(created)}";
        var changed = Bodies.Worker(idNumber, Codes.WeiningCounty, Codes.Electrician);
        changed["expectedMonthlyWage"] = 8000;

        // 大方县's office alone may not move the worker to 威宁县; an office serving both counties may.
        using (var outOfScope = await _client.PutAsync(path, changed, "\"1\""))
        {
            await outOfScope.ReadProblemAsync(HttpStatusCode.Forbidden);
        }
        Crud.AssertSame(created, await _client.GetObjectAsync(path));
        var bothCounties = api.AsCountyOffice(Codes.DafangCounty, Codes.WeiningCounty);
        using var update = await bothCounties.PutAsync(path, changed, "\"1\"");
        var updated = await update.ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("\"2\"", Http.ETagOf(update));
        Assert.Equal(2, updated["version"]!.GetValue<int>());
        Assert.Equal("威宁彝族回族苗族自治县", updated["countyName"]!.GetValue<string>());
        Assert.Equal(8000, updated["expectedMonthlyWage"]!.GetValue<int>());
        Assert.Equal("电工", updated["trades"]![0]!["tradeName"]!.GetValue<string>());

        // Someone still holding version 1 must not overwrite version 2.
        var stale = Bodies.Worker(idNumber);
        using var staleUpdate = await bothCounties.PutAsync(path, stale, "\"1\"");
        var problem = await staleUpdate.ReadProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(2, problem["currentVersion"]!.GetValue<int>());

        using var malformed = await bothCounties.PutAsync(path, stale, "version-1");
        await malformed.ReadFieldErrorAsync("If-Match");

        using var get = await bothCounties.GetAsync(path);
        var current = await get.ReadObjectAsync(HttpStatusCode.OK);
        Assert.Equal("\"2\"", Http.ETagOf(get));
        Assert.True(JsonNode.DeepEquals(updated, current), $"expected {updated.ToJsonString()} but read {current.ToJsonString()}");
    }

    [Fact]
    public async Task Deleting_a_worker_answers_204_and_then_the_worker_is_gone()
    {
        var idNumber = IdNumbers.Fresh(male: false);
        var path = $"/api/workers/{Http.IdOf(await Seed.WorkerAsync(api, Bodies.Worker(idNumber)))}";

        using var stale = await _client.DeleteAsync(path, "\"7\"");
        Assert.Equal(1, (await stale.ReadProblemAsync(HttpStatusCode.PreconditionFailed))["currentVersion"]!.GetValue<int>());
        using var malformed = await _client.DeleteAsync(path, "W/");
        await malformed.ReadFieldErrorAsync("If-Match");
        await _client.GetObjectAsync(path);

        using var deleted = await _client.DeleteAsync(path, "\"1\"");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        using var get = await _client.GetAsync(path);
        await get.ReadProblemAsync(HttpStatusCode.NotFound);
        using var again = await _client.DeleteAsync(path, ifMatch: null);
        await again.ReadProblemAsync(HttpStatusCode.NotFound);
        using var lookup = await _client.PostAsync("/api/workers/lookup", new JsonObject { ["idNumber"] = idNumber });
        await lookup.ReadProblemAsync(HttpStatusCode.NotFound);
        // The ID number is free again.
        await Seed.WorkerAsync(api, Bodies.Worker(idNumber));
    }

    [Fact]
    public async Task Personal_data_never_reaches_the_logs_or_the_answers_whatever_the_client_sends()
    {
        var idNumber = IdNumbers.EndingWith(Codes.DafangCounty, 789, 'X');
        const string Phone = "13612349876";
        var body = Bodies.Worker(idNumber);
        body["phone"] = Phone;
        var id = Http.IdOf(await Seed.WorkerAsync(api, body));
        var wrongGender = body.Copy();
        wrongGender["gender"] = "female";
        var unknownField = body.Copy();
        unknownField["shoeSize"] = 42;

        var requests = new (HttpStatusCode Expected, Func<Task<HttpResponseMessage>> Send)[]
        {
            (HttpStatusCode.Conflict, () => _client.PostAsync("/api/workers", body)),
            (HttpStatusCode.BadRequest, () => _client.PostAsync("/api/workers", wrongGender)),
            (HttpStatusCode.BadRequest, () => _client.PostAsync("/api/workers", unknownField)),
            (HttpStatusCode.BadRequest, () => _client.PostAsync("/api/workers", Http.Json(
                $$"""{"realName":"王小明","idNumber":"{{IdNumbers.WithWrongCheck(idNumber)}}","phone":"{{Phone}}","countyCode":"999999"}"""))),
            (HttpStatusCode.BadRequest, () => _client.PostAsync("/api/workers", Http.Json(
                $$"""{"realName":"王小明","idNumber":{{Phone}},"phone":["{{idNumber}}"]}"""))),                      // wrong types
            (HttpStatusCode.BadRequest, () => _client.PostAsync("/api/workers", Http.Json(
                body.ToJsonString().Replace($"\"{Phone}\"", Phone, StringComparison.Ordinal)))),                 // phone as a number
            (HttpStatusCode.BadRequest, () => _client.PostAsync("/api/workers", Http.Json(body.ToJsonString()[..^5]))), // cut-off JSON
            (HttpStatusCode.OK, () => _client.PostAsync("/api/workers/lookup", new JsonObject { ["idNumber"] = idNumber })),
            (HttpStatusCode.BadRequest, () => _client.PostAsync("/api/workers/lookup", new JsonObject { ["idNumber"] = IdNumbers.WithWrongCheck(idNumber) })),
            (HttpStatusCode.BadRequest, () => _client.PostAsync("/api/workers/lookup", Http.Json($$"""{"idNumber": {{idNumber[..17]}} }"""))),
            (HttpStatusCode.BadRequest, () => _client.PutAsync($"/api/workers/{id}", Bodies.Worker(IdNumbers.WithWrongCheck(idNumber)), "\"1\"")),
            (HttpStatusCode.BadRequest, () => _client.GetAsync($"/api/workers?page={idNumber}")),                 // pasted into the wrong box
            (HttpStatusCode.BadRequest, () => _client.GetAsync($"/api/workers?countyCode={idNumber}")),
            (HttpStatusCode.BadRequest, () => _client.GetAsync($"/api/employers?name={Phone}%07")),
        };
        foreach (var (expected, send) in requests)
        {
            using var response = await send();
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"expected {(int)expected} but got {(int)response.StatusCode} for {response.RequestMessage!.Method} {response.RequestMessage.RequestUri!.AbsolutePath}");
            Assert.DoesNotContain(idNumber[..17], text, StringComparison.Ordinal);
            Assert.DoesNotContain(Phone, text, StringComparison.Ordinal);
        }

        Assert.NotEmpty(api.Logs.Entries);
        Assert.All(api.Logs.Entries, entry =>
        {
            Assert.DoesNotContain(idNumber[..17], entry, StringComparison.Ordinal);
            Assert.DoesNotContain(Phone, entry, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Registering_the_same_id_number_at_the_same_moment_stores_exactly_one_worker()
    {
        var idNumber = IdNumbers.Fresh();
        var total = await _client.TotalAsync("/api/workers");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _client.PostAsync("/api/workers", Bodies.Worker(idNumber))));

        var created = responses.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
        var winner = Http.IdOf(await Assert.Single(created).ReadObjectAsync(HttpStatusCode.Created));
        foreach (var loser in responses.Except(created))
        {
            Assert.Equal(winner, (await loser.ReadProblemAsync(HttpStatusCode.Conflict))["existingId"]!.GetValue<long>());
        }
        Assert.Equal(total + 1, await _client.TotalAsync("/api/workers"));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Unknown_worker_is_a_404_problem()
    {
        using var get = await _client.GetAsync("/api/workers/987654");
        await get.ReadProblemAsync(HttpStatusCode.NotFound);
        using var put = await _client.PutAsync("/api/workers/987654", Bodies.Worker(), "\"1\"");
        await put.ReadProblemAsync(HttpStatusCode.NotFound);
    }
}
