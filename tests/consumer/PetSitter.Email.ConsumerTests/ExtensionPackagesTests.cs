using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PetSitter.Email;
using PetSitter.Email.Extensibility;
using PetSitter.Email.OAuth;

namespace PetSitter.Email.ConsumerTests;

/// <summary>
/// The OAuth, ASP.NET Core and domain-check packages as an app wires them, restored from what was just packed:
/// their registration resolves on the public API alone and their endpoints answer over real HTTP.
/// </summary>
public sealed class ExtensionPackagesTests
{
    [Fact]
    public async Task The_settings_page_endpoints_answer_from_the_packed_packages()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IBusinessEmailSettingsProvider, NoBusinesses>();
        builder.Services
            .AddPetSitterEmail()
            .UseOneClickUnsubscribe(options => options.EndpointUrl = new Uri("https://app.example/email/unsubscribe"))
            .AddOAuth(options =>
            {
                options.StateKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
                options.Microsoft.ClientId = "consumer-client";
                options.Microsoft.ClientSecret = "consumer-client-secret-not-real";
            })
            .UseInMemoryGrantStore()
            .UseOAuthEndpoints(options => options.AuthorizeBusiness = (_, _) => ValueTask.FromResult(true));

        await using var app = builder.Build();
        app.MapPetSitterEmailUnsubscribe();
        app.MapPetSitterEmailOAuth();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(address) };

        var forged = await http.GetAsync("/email/unsubscribe?token=forged");
        var anonymousConnect = await http.GetAsync("/email/oauth/connect/microsoft?businessId=paws&returnUrl=/settings");

        forged.StatusCode.Should().Be(HttpStatusCode.BadRequest, "a token the app's key ring did not protect unsubscribes nobody");
        anonymousConnect.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "only a signed-in user may connect a mailbox");
        app.Services.GetRequiredService<ISmtpOAuthConnector>().Should().NotBeNull();
        await app.StopAsync();
    }

    [Fact]
    public void The_domain_check_package_plugs_into_the_diagnosis()
    {
        using var services = new ServiceCollection().AddPetSitterEmailDiagnostics().AddPetSitterEmailDomainCheck().BuildServiceProvider();

        services.GetServices<ISenderDomainCheck>().Should().ContainSingle();
        services.GetRequiredService<ISmtpDiagnostics>().Should().NotBeNull();
    }

    private sealed class NoBusinesses : IBusinessEmailSettingsProvider
    {
        public ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken) =>
            ValueTask.FromResult<BusinessEmailSettings?>(null);
    }
}
