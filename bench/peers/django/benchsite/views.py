"""The bench surface: the home page, and signup / login / hash parameters for the runner."""
import json
import sys

import django
from django.conf import settings
from django.contrib.auth import authenticate, login
from django.contrib.auth.hashers import get_hasher
from django.contrib.auth.models import User
from django.db import IntegrityError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST, require_safe

# tessera's English catalogue; Django templates cannot look up dotted keys, so dots become '_'.
_catalogue = json.loads(settings.CATALOGUE.read_text(encoding='utf-8'))
M = {key.replace('.', '_'): value for key, value in _catalogue.items()}
# Liquid's split drops a trailing empty part; so does this.
WHOAMI = M['nav_signed_in_as'].split('{username}')
WHOAMI_BEFORE = WHOAMI[0]
WHOAMI_AFTER = WHOAMI[1] if len(WHOAMI) > 1 else ''
ASSETS = {'site_css': '/static/site.css'}


@require_safe
def home(request):
    user = request.user
    context = {
        'lang': 'en',
        'm': M,
        'path': '/',
        'assets': ASSETS,
        'title': M['home_title'],
        'notice': '',
        'list_html': '',
        'whoami_before': WHOAMI_BEFORE,
        'whoami_after': WHOAMI_AFTER,
        'hello': M['home_hello'].replace('{username}', user.username) if user.is_authenticated else '',
    }
    return render(request, 'home.html', context)


@csrf_exempt
@require_POST
def signup(request):
    username = request.POST.get('username', '')
    password = request.POST.get('password', '')
    if not username or not password:
        return HttpResponse('username and password are required', status=400)
    try:
        User.objects.create_user(username, password=password)
    except IntegrityError:
        return HttpResponse('taken', status=409)
    return HttpResponse('created', status=201)


@csrf_exempt
@require_POST
def login_view(request):
    user = authenticate(request, username=request.POST.get('username', ''), password=request.POST.get('password', ''))
    if user is None:
        return HttpResponse('invalid', status=401)
    login(request, user)
    return HttpResponse('logged in')


@require_GET
def hash_params(request):
    hasher = get_hasher('default')
    salt_entropy = getattr(hasher, 'salt_entropy', None)
    return JsonResponse({
        'algorithm': 'pbkdf2',
        'name': hasher.algorithm,
        'digest': hasher.digest().name,
        'iterations': hasher.iterations,
        'saltBits': salt_entropy,
        'implementation': 'hashlib.pbkdf2_hmac (Django %s)' % django.get_version(),
    })


@require_GET
def versions(request):
    import gunicorn

    return JsonResponse({'django': django.get_version(), 'gunicorn': gunicorn.__version__, 'python': sys.version.split()[0]})
