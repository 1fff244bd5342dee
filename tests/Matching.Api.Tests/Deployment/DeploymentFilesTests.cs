using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Matching.Api.Tests.Deployment;

/// <summary>
/// What can be checked of the production shape without a Docker engine: the compose file parses, runs the services the
/// README describes with the settings production needs, builds the image from a file that exists, takes its secrets
/// from files outside the repository, and the proxy sends to every API replica.
/// </summary>
public partial class DeploymentFilesTests
{
    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Matching.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("repository root (Matching.sln) not found");
    }

    private static YamlMappingNode Compose()
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Root, "docker-compose.yml"));
        // Merge keys (<<: *api) resolved as Compose resolves them.
        stream.Load(new YamlDotNet.Core.MergingParser(new YamlDotNet.Core.Parser(reader)));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Map(YamlNode node, string key) => (YamlMappingNode)((YamlMappingNode)node).Children[new YamlScalarNode(key)];

    private static string? Scalar(YamlNode node, string key) =>
        ((YamlMappingNode)node).Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    private static IReadOnlyDictionary<string, YamlMappingNode> Services() =>
        Map(Compose(), "services").Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => (YamlMappingNode)c.Value);

    /// <summary>The services named in the README's production table (first column, in backticks).</summary>
    private static IReadOnlySet<string> ReadmeServices()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var section = readme[readme.IndexOf("## Production setup", StringComparison.Ordinal)..];
        var table = section[section.IndexOf("| service |", StringComparison.Ordinal)..];
        var rows = table.Split('\n').Skip(2).TakeWhile(l => l.StartsWith('|'));
        return rows.SelectMany(row => Backticked().Matches(row.Split('|')[1]).Select(m => m.Groups[1].Value)).ToHashSet();
    }

    [GeneratedRegex("`([a-z0-9-]+)`")]
    private static partial Regex Backticked();

    [Fact]
    public void The_compose_file_parses_and_runs_exactly_the_services_the_README_describes()
    {
        var described = ReadmeServices();
        Assert.Contains("sqlserver", described);
        Assert.Equal(described.Order(), Services().Keys.Order());
    }

    [Fact]
    public void Two_API_replicas_run_on_SQL_Server_and_Elasticsearch_without_demo_data_on_a_read_only_file_system()
    {
        var apis = Services().Where(s => s.Key.StartsWith("api-", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, apis.Count);
        foreach (var (_, api) in apis)
        {
            var environment = Map(api, "environment");
            Assert.Equal("sqlserver", Scalar(environment, "Matching__StorageProvider"));
            Assert.Equal("elasticsearch", Scalar(environment, "Matching__SearchProvider"));
            Assert.Equal("0", Scalar(environment, "Matching__DemoWorkers"));
            Assert.Equal("true", Scalar(api, "read_only"));
            Assert.NotNull(Map(api, "healthcheck"));
            // No secret is written into the compose file: the environment holds no password, key or connection string.
            Assert.All(environment.Children, e => Assert.DoesNotMatch("(?i)password|datakey|signingkey|connectionstring", ((YamlScalarNode)e.Key).Value!));
            var secrets = ((YamlSequenceNode)api.Children[new YamlScalarNode("secrets")]).Select(s => Scalar(s, "target")).ToHashSet();
            Assert.Superset(new HashSet<string?> { "Matching__DataKey", "Matching__ConnectionString", "Matching__Auth__SigningKey" }, secrets);
        }
        Assert.All(Services().Values, s => Assert.NotNull(Map(s, "healthcheck")));
    }

    [Fact]
    public void The_container_build_file_exists_is_referenced_and_runs_as_a_non_root_user()
    {
        var build = Services().Values.Where(s => s.Children.ContainsKey(new YamlScalarNode("build"))).Select(s => Map(s, "build")).ToList();
        Assert.NotEmpty(build);
        foreach (var b in build)
        {
            var dockerfile = Path.Combine(Root, Scalar(b, "context")!, Scalar(b, "dockerfile")!);
            Assert.True(File.Exists(dockerfile), dockerfile);
            var text = File.ReadAllText(dockerfile);
            Assert.Matches(@"(?m)^USER \$APP_UID$", text);
            Assert.Contains("HEALTHCHECK", text, StringComparison.Ordinal);
            Assert.Contains("src/Matching.Api", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Secrets_come_from_files_outside_the_repository_and_the_proxy_serves_every_replica_over_HTTPS()
    {
        foreach (var secret in Map(Compose(), "secrets").Children.Values)
        {
            Assert.StartsWith("${MATCHING_SECRETS:-./secrets}/", Scalar(secret, "file"), StringComparison.Ordinal);
        }
        Assert.Contains("/secrets/", File.ReadAllLines(Path.Combine(Root, ".gitignore")));

        var nginx = File.ReadAllText(Path.Combine(Root, "infra", "proxy", "nginx.conf"));
        foreach (var api in Services().Keys.Where(k => k.StartsWith("api-", StringComparison.Ordinal)))
        {
            Assert.Contains($"server {api}:8080", nginx, StringComparison.Ordinal);
        }
        Assert.Contains("listen 443 ssl", nginx, StringComparison.Ordinal);
    }

    [Fact]
    public void The_three_node_Elasticsearch_profile_forms_one_cluster_and_the_single_node_is_the_default()
    {
        var services = Services();
        var single = services["elasticsearch"];
        Assert.False(single.Children.ContainsKey(new YamlScalarNode("profiles")));
        Assert.Equal("single-node", Scalar(Map(single, "environment"), "discovery.type"));
        var nodes = services.Where(s => s.Value.Children.ContainsKey(new YamlScalarNode("profiles"))).ToList();
        Assert.Equal(["es01", "es02", "es03"], nodes.Select(n => n.Key).Order());
        Assert.All(nodes, n => Assert.Equal("es01,es02,es03", Scalar(Map(n.Value, "environment"), "cluster.initial_master_nodes")));
    }
}
