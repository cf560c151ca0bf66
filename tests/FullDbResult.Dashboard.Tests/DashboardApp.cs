using System.Net;
using System.Text.RegularExpressions;
using FullDbResult.Dashboard;
using FullDbResult.Publishing;
using FullDbResult.RabbitMq;
using FullDbResult.Storage;
using FullDbResult.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FullDbResult.Dashboard.Tests;

/// <summary>
/// A real ASP.NET Core app on Kestrel (127.0.0.1, a free port) that mounts the dashboard at /dashboard over a
/// fresh PostgreSQL database of the private test server and a publisher to the private RabbitMQ.
/// </summary>
internal sealed partial class DashboardApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RabbitMqConnection _broker;

    private DashboardApp(WebApplication app, TaskStore store, RabbitMqConnection broker, Uri baseUrl)
    {
        _app = app;
        Store = store;
        _broker = broker;
        BaseUrl = baseUrl;
    }

    public TaskStore Store { get; }

    /// <summary>The dashboard's root, ending in a slash.</summary>
    public Uri BaseUrl { get; }

    /// <param name="configure">Adds services (authentication) before the app is built.</param>
    /// <param name="beforeDashboard">Middleware that runs before the dashboard (a forwarded remote address).</param>
    public static async Task<DashboardApp> StartAsync(DashboardOptions? options = null, Action<WebApplicationBuilder>? configure = null,
        Action<WebApplication>? beforeDashboard = null, string? connectionString = null)
    {
        var store = new TaskStore(new StoreConnection(connectionString ?? PostgresServer.Shared.CreateDatabase("dashboard"), DatabaseProvider.PostgreSql));
        await store.MigrateAsync();
        var broker = new RabbitMqConnection(RabbitMqServer.Shared.AmqpUri.ToString(), "dashboard tests");
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton<ITaskPublisher>(new RabbitMqTaskPublisher(broker));
        builder.Services.AddFullDbResultDashboard();
        configure?.Invoke(builder);
        var app = builder.Build();
        beforeDashboard?.Invoke(app);
        app.MapFullDbResultDashboard("/dashboard", options);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new DashboardApp(app, store, broker, new Uri(address.TrimEnd('/') + "/dashboard/"));
    }

    /// <summary>A client that keeps cookies (the antiforgery cookie) and does not follow redirects.</summary>
    public HttpClient Client(string? user = null, string? password = null)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = BaseUrl };
        if (user is not null)
            client.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client;
    }

    /// <summary>The antiforgery token a page's forms carry (the cookie half stays in the client).</summary>
    public static async Task<string> TokenFromAsync(HttpClient client, string page)
    {
        var html = await client.GetStringAsync(page);
        return TokenField().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException("The page has no antiforgery field.");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _broker.DisposeAsync();
    }
}
